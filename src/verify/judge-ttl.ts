import { count, exactSeconds } from '../core/format.js';

// Reasons compare measured TTLs with each other and with the configured seconds, so they are
// written in exact seconds (`3,540 s`), not rounded to `59 min` (see exactSeconds).

/** One PTTL reading: the value and when (by the bot's clock) it was taken. */
export interface TtlReading {
  pttlMs: number;
  /** Midpoint of the round trip. */
  atMs: number;
  rttMs: number;
}

/** Clock noise allowed between the bot and Redis, on top of the round trips (runbook: "≈ initial - 60"). */
export const BASE_TOLERANCE_SECONDS = 2;

const round3 = (n: number) => Math.round(n * 1000) / 1000;

function formatRatio(r: number): string {
  return r >= 10 ? `${Math.round(r)}x` : `${Math.round(r * 10) / 10}x`;
}

/** The initial TTL differs from the configured one by more than `toleranceSeconds`. */
export function judgeInitialTtl(
  initialSeconds: number,
  expectedSeconds: number,
  toleranceSeconds: number,
): string | undefined {
  if (Math.abs(initialSeconds - expectedSeconds) <= toleranceSeconds) return undefined;
  return (
    `initial TTL ${exactSeconds(initialSeconds)} but expected ${exactSeconds(expectedSeconds)}: the ` +
    'session was written with another TTL than configured (runbook Scenarios 2 and 6)'
  );
}

export interface DecayJudgement {
  elapsedSeconds: number;
  expectedAfterWaitSeconds: number;
  driftSeconds: number;
  toleranceSeconds: number;
  reason?: string;
}

/**
 * Compares how far the TTL fell between two readings with the wall-clock time between them. Redis
 * counts a TTL down with its own clock, so a drift beyond the tolerance means the clocks disagree or
 * something else changed the TTL.
 */
export function judgeDecay(initial: TtlReading, after: TtlReading): DecayJudgement {
  const elapsed = (after.atMs - initial.atMs) / 1000;
  const decay = (initial.pttlMs - after.pttlMs) / 1000;
  const drift = decay - elapsed;
  const tolerance = BASE_TOLERANCE_SECONDS + (initial.rttMs + after.rttMs) / 1000;
  const out: DecayJudgement = {
    elapsedSeconds: round3(elapsed),
    expectedAfterWaitSeconds: round3(initial.pttlMs / 1000 - elapsed),
    driftSeconds: round3(drift),
    toleranceSeconds: round3(tolerance),
  };
  if (drift > tolerance) {
    const ratio = elapsed > 0 ? ` ${formatRatio(decay / elapsed)}` : '';
    out.reason =
      `TTL decays${ratio} faster than the clock: it fell ${exactSeconds(decay)} in ` +
      `${exactSeconds(elapsed)} (clock skew between the bot and Redis, or something shortened the TTL ` +
      'with EXPIRE; runbook Scenario 5)';
  } else if (drift < -tolerance) {
    out.reason =
      decay < 0
        ? `TTL went up from ${exactSeconds(initial.pttlMs / 1000)} to ${exactSeconds(after.pttlMs / 1000)} ` +
          'during the wait although nothing accessed it: something else refreshes or rewrites the key'
        : `TTL decays slower than the clock: it fell ${exactSeconds(decay)} in ${exactSeconds(elapsed)} (clock skew?; runbook Scenario 5)`;
  }
  return out;
}

/** Below this gain (ms) a TTL counts as not refreshed: an untouched TTL only falls. */
export function refreshMarginMs(elapsedSeconds: number): number {
  return Math.min(500, Math.max(50, (elapsedSeconds * 1000) / 2));
}

export interface RefreshInput {
  before: TtlReading;
  after: TtlReading;
  expectedSeconds: number;
  slidingWindow: boolean;
  elapsedSeconds: number;
  toleranceSeconds: number;
  envName: string;
}

/** Runbook Scenario 3: an access refreshes the TTL to the full TTL when the sliding window is on, and not at all when it is off. */
export function judgeRefresh(i: RefreshInput): string | undefined {
  const gainedMs = i.after.pttlMs - i.before.pttlMs;
  const refreshed = gainedMs > refreshMarginMs(i.elapsedSeconds);
  const before = exactSeconds(i.before.pttlMs / 1000);
  const after = exactSeconds(i.after.pttlMs / 1000);
  if (i.before.pttlMs - i.after.pttlMs > i.toleranceSeconds * 1000) {
    return `TTL dropped on access: ${before} before, ${after} after GET: the access sets a shorter TTL than the session had (runbook Scenarios 3 and 6)`;
  }
  if (i.slidingWindow && !refreshed) {
    return `TTL did not refresh on access: ${before} before, ${after} after GET (the sliding window is on for ${i.envName}; runbook Scenario 3)`;
  }
  if (i.slidingWindow && i.after.pttlMs / 1000 < i.expectedSeconds - i.toleranceSeconds) {
    return (
      `TTL refreshed on access to ${after}, not to the configured ${exactSeconds(i.expectedSeconds)}: ` +
      'the refresh uses another TTL (runbook Scenarios 3 and 6)'
    );
  }
  if (!i.slidingWindow && refreshed) {
    return (
      `TTL refreshed on access although the sliding window is off for ${i.envName}: ${before} before, ` +
      `${after} after GET (sessions outlive their configured lifetime)`
    );
  }
  return undefined;
}

export interface DisappearanceInput {
  /** "canary" or "test session". */
  what: string;
  secondsSinceWrite: number;
  /** TTL it had at the previous reading. */
  remainingSeconds: number;
  /** evicted_keys growth over the run; undefined when unknown. */
  evictedKeysDelta: number | undefined;
}

/** The key vanished before its TTL: evicted when Redis counted evictions meanwhile, else deleted. */
export function describeDisappearance(i: DisappearanceInput): string {
  const when = `after ${exactSeconds(i.secondsSinceWrite)} with ${exactSeconds(i.remainingSeconds)} of TTL left`;
  if (i.evictedKeysDelta && i.evictedKeysDelta > 0) {
    return (
      `${i.what} evicted ${when} (evicted_keys +${count(i.evictedKeysDelta)} during the run): Redis ` +
      'evicts keys under memory pressure (runbook Scenario 1)'
    );
  }
  if (i.evictedKeysDelta === undefined) {
    return `${i.what} disappeared ${when}: evicted or deleted (INFO is refused, so which cannot be told; runbook Scenarios 1 and 4)`;
  }
  return `${i.what} disappeared ${when} while Redis evicted nothing: something deleted it (runbook Scenario 4)`;
}
