/** How the canary was made: through the app's own API (tests the sliding window too) or a key the bot writes. */
export type VerifyMode = 'app' | 'canary';

/** `pass`: the TTL behaves as configured. `fail`: it does not (see `reasons`). `error`: the run could not finish. */
export type Verdict = 'pass' | 'fail' | 'error';

/** The numbers the verdict is drawn from; all seconds come from PTTL (ms precision). */
export interface VerifyMeasurements {
  /** TTL right after the canary was written. */
  initialTtlSeconds?: number;
  /** TTL after the wait. */
  ttlAfterWaitSeconds?: number;
  /** Wall-clock seconds between the two readings (by the bot's clock). */
  elapsedSeconds?: number;
  /** What the TTL after the wait should be: initial - elapsed. */
  expectedAfterWaitSeconds?: number;
  /** Measured decay minus elapsed time: > 0 the TTL ran faster than the clock, < 0 slower. */
  driftSeconds?: number;
  /** Allowed |drift|: 2 s plus the round trips of the two readings. */
  toleranceSeconds?: number;
  /** TTL right after `GET {sessionsPath}/{id}` (app mode). */
  refreshedTtlSeconds?: number;
  /** Longest Redis round trip of the readings, in ms. */
  maxRttMs?: number;
  /** INFO stats evicted_keys grew by this much during the run (undefined when INFO is refused). */
  evictedKeysDelta?: number;
}

/** What happened to the canary afterwards. The canary is removed in every outcome. */
export interface VerifyCleanup {
  /**
   * `removed`: DEL ran and EXISTS confirmed the key is gone. `nothing_written`: the run failed before a
   * canary existed. `failed`: the removal could not be confirmed (see `error`).
   */
  status: 'removed' | 'nothing_written' | 'failed';
  /** App mode: the result of `DELETE {sessionsPath}/{id}`. */
  appDelete?: 'ok' | 'failed';
  /** What went wrong and what to do by hand. */
  error?: string;
}

/**
 * The outcome of `verify <env>` (runbook Verification), as data: the CLI prints it as text or JSON,
 * the Slack command as Block Kit.
 *
 * @example
 * { environment: 'prod', mode: 'canary', verdict: 'fail', reasons: ['canary evicted after 12 s ...'],
 *   measurements: { initialTtlSeconds: 86400, ... }, slidingWindowTested: false, ... }
 */
export interface VerifyResult {
  environment: string;
  mode: VerifyMode;
  verdict: Verdict;
  /** Why the verdict is `fail` or `error`; empty on `pass`. */
  reasons: string[];
  /** What was not tested or is worth knowing (e.g. "the sliding window was not tested"). */
  notes: string[];
  startedAt: string;
  durationMs: number;
  /** The canary key; an app session's id is shortened (it is a credential). */
  key: string;
  expectedTtlSeconds: number;
  slidingWindow: boolean;
  slidingWindowTested: boolean;
  waitSeconds: number;
  measurements: VerifyMeasurements;
  cleanup: VerifyCleanup;
}

/** Progress while the verification waits; rendered by the CLI (stderr) and Slack (chat.update). */
export type VerifyProgress =
  | { phase: 'writing'; environment: string; mode: VerifyMode; waitSeconds: number }
  | { phase: 'waiting'; environment: string; mode: VerifyMode; initialTtlSeconds: number; waitSeconds: number };

/**
 * What the caller of a verification knows beyond the run, for the verdict to link (the verification
 * itself only measures its canary). Pure data; the message takes it as it is.
 *
 * @example
 * { openCriticals: { titles: ['maxmemory-policy is allkeys-lru'], link: 'https://slack.example/archives/C1/p1' } }
 */
export interface VerifyHint {
  /** The critical findings of the environment's latest diagnosis, and a link to it when there is one. */
  openCriticals?: { titles: readonly string[]; link?: string };
}
