import { maskKey } from '../diagnostics/sampling/mask-key.js';
import { waitOrAbort } from './abortable-wait.js';
import {
  BASE_TOLERANCE_SECONDS,
  type DecayJudgement,
  describeDisappearance,
  judgeDecay,
  judgeInitialTtl,
  judgeRefresh,
  type TtlReading,
} from './judge-ttl.js';
import { sessionKeyPrefix } from './key-prefix.js';
import type { VerifyPlan } from './plan-verify.js';
import type { SessionApi } from './session-api.js';
import type { VerifyMeasurements, VerifyProgress } from './verify-result.js';

/** The user id of the session created through the app API (runbook Verification uses a test user). */
export const CANARY_USER_ID = 'session-ttl-canary';
/** Canary keys are `<prefix>ttl-canary-<16 hex>`; SCAN `session:ttl-canary-*` finds any left behind. */
export const CANARY_KEY_MARK = 'ttl-canary-';

/** The reason given when `signal` stopped the run. */
export const INTERRUPTED_REASON =
  'the verification was interrupted (the process is stopping) before it finished; run it again';

/** How a step ends: the run goes on with `value`, or stops with a verdict the measurement so far decides. */
export type StepResult<T> = { kind: 'continue'; value: T } | Stopped;
/** The run stops measuring: `fail` when the TTL misbehaved, `error` when the run could not go on. */
export interface Stopped {
  kind: 'stop';
  verdict: 'fail' | 'error';
  reason: string;
}

const proceed = <T>(value: T): StepResult<T> => ({ kind: 'continue', value });
export const stopWith = (verdict: Stopped['verdict'], reason: string): Stopped => ({ kind: 'stop', verdict, reason });

/**
 * What the run has measured and found so far. Steps add to it; a reason recorded here fails the verdict
 * without stopping the run (a stop adds its own reason).
 */
export class Tally {
  readonly measurements: VerifyMeasurements = {};
  readonly reasons: string[] = [];
  slidingWindowTested = false;

  /** Records the reason of a failed judgement, if there is one; the run goes on. */
  addFailure(reason: string | undefined): void {
    if (reason !== undefined) this.reasons.push(reason);
  }

  get failed(): boolean {
    return this.reasons.length > 0;
  }
}

/**
 * The canary as far as it is known, for the cleanup: `key` is set before a bot canary is written and once
 * the app created its session; `written` says the write is known to have succeeded.
 */
export interface CanaryRecord {
  key?: string;
  displayKey: string;
  sessionId?: string;
  written: boolean;
}

/** What the steps share: the plan, the clock, the tally and the canary. */
export interface CanaryRun {
  plan: VerifyPlan;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  randomHex: () => string;
  signal?: AbortSignal;
  progress: (p: VerifyProgress) => Promise<void>;
  tally: Tally;
  canary: CanaryRecord;
}

/** The canary once written, and what was known before it was. */
interface Written {
  key: string;
  /** The bot's clock just before the write. */
  writeStartMs: number;
  evictedBefore: number | undefined;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const what = (run: CanaryRun) => (run.plan.app ? 'test session' : 'canary');

/** One PTTL reading with its round trip; none once the run is interrupted. */
async function read(run: CanaryRun, key: string): Promise<StepResult<TtlReading>> {
  if (run.signal?.aborted) return stopWith('error', INTERRUPTED_REASON);
  const t0 = run.now();
  const pttlMs = await run.plan.redis.pttl(key);
  const t1 = run.now();
  const m = run.tally.measurements;
  m.maxRttMs = Math.max(m.maxRttMs ?? 0, t1 - t0);
  return proceed({ pttlMs, atMs: (t0 + t1) / 2, rttMs: t1 - t0 });
}

/** Records how much `evicted_keys` grew since the write (undefined when INFO is refused). */
async function evictedSince(run: CanaryRun, w: Written): Promise<number | undefined> {
  const after = await run.plan.redis.evictedKeys();
  const delta = w.evictedBefore === undefined || after === undefined ? undefined : after - w.evictedBefore;
  run.tally.measurements.evictedKeysDelta = delta;
  return delta;
}

/** Writes the canary: a session through the app API, else a `ttl-canary-` key with SET EX the expected TTL. */
export async function writeCanary(run: CanaryRun): Promise<Written> {
  const { redis, app, env } = run.plan;
  const evictedBefore = await redis.evictedKeys();
  const writeStartMs = run.now();
  const prefix = sessionKeyPrefix(env.redis.keyPattern);
  if (app) {
    const sessionId = await app.createSession(CANARY_USER_ID);
    const key = `${prefix}${sessionId}`;
    run.canary.sessionId = sessionId;
    run.canary.key = key;
    run.canary.displayKey = maskKey(key, env.redis.keyPattern);
    run.canary.written = true;
    return { key, writeStartMs, evictedBefore };
  }
  const key = `${prefix}${CANARY_KEY_MARK}${run.randomHex()}`;
  run.canary.key = key;
  run.canary.displayKey = key;
  const value = JSON.stringify({
    canary: true,
    created_by: 'session-ttl verify',
    created_at: Math.floor(writeStartMs / 1000),
  });
  await redis.setEx(key, value, env.expectedTtlSeconds);
  run.canary.written = true;
  return { key, writeStartMs, evictedBefore };
}

/** Reads the TTL right after the write: gone or without TTL stops the run; another TTL than configured fails it. */
export async function readInitialTtl(run: CanaryRun, w: Written): Promise<StepResult<TtlReading>> {
  const first = await read(run, w.key);
  if (first.kind === 'stop') return first;
  const { pttlMs, atMs } = first.value;
  const { app, redis, env } = run.plan;
  if (pttlMs === -2) {
    await evictedSince(run, w);
    const displayKey = run.canary.displayKey;
    return stopWith(
      'fail',
      app
        ? `the app API created a session, but ${displayKey} is not in Redis at ${redis.address}: ` +
            'the app writes another key (check redis.keyPattern) or to another Redis'
        : `canary ${displayKey} was gone right after SET: Redis evicts keys as soon as they are written (runbook Scenario 1)`,
    );
  }
  if (pttlMs === -1) {
    return stopWith(
      'fail',
      `${what(run)} has no TTL right after it was written (PTTL -1): it is written with SET and no EX (runbook Scenario 2)`,
    );
  }
  run.tally.measurements.initialTtlSeconds = round3(pttlMs / 1000);
  // The app wrote the key somewhere between writeStart and the reading.
  const tolerance = BASE_TOLERANCE_SECONDS + (atMs - w.writeStartMs) / 1000;
  run.tally.addFailure(judgeInitialTtl(pttlMs / 1000, env.expectedTtlSeconds, tolerance));
  return first;
}

/** Says the run is waiting, then waits `plan.waitSeconds`; an abort stops the run. */
export async function waitOut(run: CanaryRun, first: TtlReading): Promise<StepResult<void>> {
  const { env, app, waitSeconds } = run.plan;
  await run.progress({
    phase: 'waiting',
    environment: env.name,
    mode: app ? 'app' : 'canary',
    initialTtlSeconds: Math.round(first.pttlMs / 1000),
    waitSeconds,
  });
  const ended = await waitOrAbort(run.sleep(waitSeconds * 1000), run.signal);
  return ended === 'aborted' ? stopWith('error', INTERRUPTED_REASON) : proceed(undefined);
}

/** Reads the TTL after the wait and compares its decay with the clock; gone or without TTL stops the run. */
export async function readAfterWait(
  run: CanaryRun,
  w: Written,
  first: TtlReading,
): Promise<StepResult<{ second: TtlReading; decay: DecayJudgement }>> {
  const read2 = await read(run, w.key);
  if (read2.kind === 'stop') return read2;
  const second = read2.value;
  const delta = await evictedSince(run, w);
  if (second.pttlMs === -2) {
    const disappearance = describeDisappearance({
      what: what(run),
      secondsSinceWrite: (second.atMs - w.writeStartMs) / 1000,
      remainingSeconds: first.pttlMs / 1000 - (second.atMs - first.atMs) / 1000,
      evictedKeysDelta: delta,
    });
    return stopWith('fail', disappearance);
  }
  if (second.pttlMs === -1) {
    return stopWith(
      'fail',
      `${what(run)} lost its TTL during the wait (PTTL -1): ` +
        'something rewrote it with SET and no EX, or PERSISTed it (runbook Scenario 2)',
    );
  }
  const m = run.tally.measurements;
  m.ttlAfterWaitSeconds = round3(second.pttlMs / 1000);
  const decay = judgeDecay(first, second);
  m.elapsedSeconds = decay.elapsedSeconds;
  m.expectedAfterWaitSeconds = decay.expectedAfterWaitSeconds;
  m.driftSeconds = decay.driftSeconds;
  m.toleranceSeconds = decay.toleranceSeconds;
  run.tally.addFailure(decay.reason);
  return proceed({ second, decay });
}

/** App mode: accesses the session and checks that the TTL refreshes as the sliding window setting says. */
export async function checkSlidingWindow(
  run: CanaryRun,
  w: Written,
  session: { app: SessionApi; id: string },
  after: { second: TtlReading; decay: DecayJudgement },
): Promise<StepResult<void>> {
  const { env } = run.plan;
  await session.app.accessSession(session.id);
  const read3 = await read(run, w.key);
  if (read3.kind === 'stop') return read3;
  const third = read3.value;
  if (third.pttlMs === -2) {
    return stopWith('fail', `test session disappeared when it was accessed (GET): the app deletes sessions on read`);
  }
  run.tally.measurements.refreshedTtlSeconds = round3(third.pttlMs / 1000);
  run.tally.slidingWindowTested = true;
  run.tally.addFailure(
    judgeRefresh({
      before: after.second,
      after: third,
      expectedSeconds: env.expectedTtlSeconds,
      slidingWindow: env.slidingWindow,
      elapsedSeconds: after.decay.elapsedSeconds,
      toleranceSeconds: after.decay.toleranceSeconds,
      envName: env.name,
    }),
  );
  return proceed(undefined);
}

/** Runs the steps in order until one stops; undefined when every step ran. I/O failures reject. */
export async function measureCanary(run: CanaryRun): Promise<Stopped | undefined> {
  const w = await writeCanary(run);
  const first = await readInitialTtl(run, w);
  if (first.kind === 'stop') return first;
  const waited = await waitOut(run, first.value);
  if (waited.kind === 'stop') return waited;
  const after = await readAfterWait(run, w, first.value);
  if (after.kind === 'stop') return after;
  const { app } = run.plan;
  const id = run.canary.sessionId;
  if (app && id !== undefined) {
    const refreshed = await checkSlidingWindow(run, w, { app, id }, after.value);
    if (refreshed.kind === 'stop') return refreshed;
  }
  return undefined;
}
