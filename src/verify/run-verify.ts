import { randomBytes } from 'node:crypto';
import { duration } from '../core/format.js';
import { describeSourceFailure } from '../diagnostics/source-failure.js';
import { maskKey } from '../diagnostics/checks/ttl-sample.js';
import { UserError } from '../core/errors.js';
import {
  BASE_TOLERANCE_SECONDS,
  describeDisappearance,
  judgeDecay,
  judgeInitialTtl,
  judgeRefresh,
  type TtlReading,
} from './judge-ttl.js';
import { sessionKeyPrefix } from './key-prefix.js';
import type { VerifyPlan } from './plan-verify.js';
import type { Verdict, VerifyCleanup, VerifyMeasurements, VerifyProgress, VerifyResult } from './verify-result.js';

/** The user id of the session created through the app API (runbook Verification uses a test user). */
export const CANARY_USER_ID = 'session-ttl-canary';
/** Canary keys are `<prefix>ttl-canary-<16 hex>`; SCAN `session:ttl-canary-*` finds any left behind. */
export const CANARY_KEY_MARK = 'ttl-canary-';

export interface VerifyRunDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Random suffix of the canary key. */
  randomHex?: () => string;
  /** Called as the run progresses; awaited, and a failure here never stops the verification. */
  onProgress?: (p: VerifyProgress) => void | Promise<void>;
  /**
   * Aborting it (SIGTERM, SIGINT, the bot's shutdown) stops the measurement at once: the canary is still
   * removed and the result says the run was interrupted (verdict `error`).
   */
  signal?: AbortSignal;
}

/** The reason given when `signal` stopped the run. */
export const INTERRUPTED_REASON =
  'the verification was interrupted (the process is stopping) before it finished; run it again';

/** A timer that ends early when `signal` aborts, so an interrupted run leaves no timer holding the process. */
const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
const round3 = (n: number) => Math.round(n * 1000) / 1000;

function describeError(err: unknown, redisAddress: string): string {
  if (err instanceof UserError) return err.message;
  return describeSourceFailure(err, ['redis'], redisAddress).message;
}

/** Marks a verdict decided by the measurement so far; the run stops measuring. */
class Stop extends Error {}
/** The signal aborted the run. */
class Interrupted extends Error {}

/** Resolves after `ms`, or rejects with `Interrupted` as soon as `signal` aborts. */
function interruptible(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait;
  if (signal.aborted) return Promise.reject(new Interrupted());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    wait.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * The runbook's Verification as a canary. Writes a session (through the app API when configured, else a
 * `ttl-canary-` key with SET EX the expected TTL), reads its TTL, waits `plan.waitSeconds`, reads it
 * again and compares the decay with the clock; in app mode it then accesses the session and checks the
 * sliding window. The canary is removed in every outcome (try/finally), and every outcome is data:
 * this function does not throw.
 */
export async function runVerify(plan: VerifyPlan, deps: VerifyRunDeps = {}): Promise<VerifyResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => defaultSleep(ms, deps.signal));
  const randomHex = deps.randomHex ?? (() => randomBytes(8).toString('hex'));
  const { env, redis, app, waitSeconds } = plan;
  const mode = app ? 'app' : 'canary';
  const what = app ? 'test session' : 'canary';
  const expected = env.expectedTtlSeconds;
  const startedAt = now();
  const reasons: string[] = [];
  const notes = [...plan.notes];
  const m: VerifyMeasurements = {};
  let verdict: Verdict = 'pass';
  let key: string | undefined;
  let displayKey = '';
  let sessionId: string | undefined;
  let slidingWindowTested = false;
  /** The canary is known to exist (the SET or the app's POST succeeded). */
  let written = false;

  const progress = async (p: VerifyProgress) => {
    try {
      await deps.onProgress?.(p);
    } catch {
      // Progress is a nicety: a Slack hiccup must not leave a canary behind or change the verdict.
    }
  };
  const fail = (reason: string): never => {
    verdict = 'fail';
    reasons.push(reason);
    throw new Stop();
  };
  const read = async (k: string): Promise<TtlReading> => {
    if (deps.signal?.aborted) throw new Interrupted();
    const t0 = now();
    const pttlMs = await redis.pttl(k);
    const t1 = now();
    m.maxRttMs = Math.max(m.maxRttMs ?? 0, t1 - t0);
    return { pttlMs, atMs: (t0 + t1) / 2, rttMs: t1 - t0 };
  };

  const measure = async (): Promise<void> => {
    const evictedBefore = await redis.evictedKeys();
    const evictedDelta = async () => {
      const after = await redis.evictedKeys();
      m.evictedKeysDelta = evictedBefore === undefined || after === undefined ? undefined : after - evictedBefore;
      return m.evictedKeysDelta;
    };
    const writeStart = now();
    if (app) {
      sessionId = await app.createSession(CANARY_USER_ID);
      written = true;
      key = `${sessionKeyPrefix(env.redis.keyPattern)}${sessionId}`;
      displayKey = maskKey(key, env.redis.keyPattern);
    } else {
      key = `${sessionKeyPrefix(env.redis.keyPattern)}${CANARY_KEY_MARK}${randomHex()}`;
      displayKey = key;
      const value = JSON.stringify({
        canary: true,
        created_by: 'session-ttl verify',
        created_at: Math.floor(writeStart / 1000),
      });
      await redis.setEx(key, value, expected);
      written = true;
    }

    const first = await read(key);
    if (first.pttlMs === -2) {
      await evictedDelta();
      fail(
        app
          ? `the app API created a session, but ${displayKey} is not in Redis at ${redis.address}: the app writes another key (check redis.keyPattern) or to another Redis`
          : `canary ${displayKey} was gone right after SET: Redis evicts keys as soon as they are written (runbook Scenario 1)`,
      );
    }
    if (first.pttlMs === -1)
      fail(
        `${what} has no TTL right after it was written (PTTL -1): it is written with SET and no EX (runbook Scenario 2)`,
      );
    m.initialTtlSeconds = round3(first.pttlMs / 1000);
    // The app wrote the key somewhere between writeStart and the reading.
    const initialTolerance = BASE_TOLERANCE_SECONDS + (first.atMs - writeStart) / 1000;
    const initialReason = judgeInitialTtl(first.pttlMs / 1000, expected, initialTolerance);
    if (initialReason) {
      verdict = 'fail';
      reasons.push(initialReason);
    }

    await progress({
      phase: 'waiting',
      environment: env.name,
      mode,
      initialTtlSeconds: Math.round(first.pttlMs / 1000),
      waitSeconds,
    });
    await interruptible(sleep(waitSeconds * 1000), deps.signal);

    const second = await read(key);
    const delta = await evictedDelta();
    if (second.pttlMs === -2) {
      fail(
        describeDisappearance({
          what,
          secondsSinceWrite: (second.atMs - writeStart) / 1000,
          remainingSeconds: first.pttlMs / 1000 - (second.atMs - first.atMs) / 1000,
          evictedKeysDelta: delta,
        }),
      );
    }
    if (second.pttlMs === -1) {
      fail(
        `${what} lost its TTL during the wait (PTTL -1): something rewrote it with SET and no EX, or PERSISTed it (runbook Scenario 2)`,
      );
    }
    m.ttlAfterWaitSeconds = round3(second.pttlMs / 1000);
    const decay = judgeDecay(first, second);
    m.elapsedSeconds = decay.elapsedSeconds;
    m.expectedAfterWaitSeconds = decay.expectedAfterWaitSeconds;
    m.driftSeconds = decay.driftSeconds;
    m.toleranceSeconds = decay.toleranceSeconds;
    if (decay.reason) {
      verdict = 'fail';
      reasons.push(decay.reason);
    }

    if (app && sessionId !== undefined) {
      await app.accessSession(sessionId);
      const third = await read(key);
      if (third.pttlMs === -2)
        fail(`test session disappeared when it was accessed (GET): the app deletes sessions on read`);
      m.refreshedTtlSeconds = round3(third.pttlMs / 1000);
      slidingWindowTested = true;
      const refreshReason = judgeRefresh({
        before: second,
        after: third,
        expectedSeconds: expected,
        slidingWindow: env.slidingWindow,
        elapsedSeconds: decay.elapsedSeconds,
        toleranceSeconds: decay.toleranceSeconds,
        envName: env.name,
      });
      if (refreshReason) {
        verdict = 'fail';
        reasons.push(refreshReason);
      }
    }
  };

  const cleanUp = async (): Promise<VerifyCleanup> => {
    if (key === undefined && sessionId === undefined) return { status: 'nothing_written' };
    const out: VerifyCleanup = { status: 'failed' };
    const problems: string[] = [];
    if (app && sessionId !== undefined) {
      try {
        await app.deleteSession(sessionId);
        out.appDelete = 'ok';
      } catch (err) {
        out.appDelete = 'failed';
        problems.push(describeError(err, redis.address));
      }
    }
    if (key !== undefined) {
      try {
        // Also after the app's DELETE: the key is what must not stay behind.
        await redis.del(key);
        if (await redis.exists(key)) problems.push(`${displayKey} still exists after DEL.`);
        else out.status = 'removed';
      } catch (err) {
        problems.push(describeError(err, redis.address));
      }
    }
    if (problems.length) {
      out.error = written
        ? `Could not remove ${displayKey}: ${problems.join(' ')} Delete it by hand; its TTL removes it within ${duration(expected)} at the latest.`
        : `The write of ${displayKey} failed, so it is most likely not there, but its absence could not be confirmed: ${problems.join(' ')} If it exists, its TTL removes it within ${duration(expected)}.`;
    }
    return out;
  };

  await progress({ phase: 'writing', environment: env.name, mode, waitSeconds });
  let cleanup: VerifyCleanup;
  try {
    await measure();
  } catch (err) {
    if (err instanceof Interrupted) {
      verdict = 'error';
      reasons.push(INTERRUPTED_REASON);
    } else if (!(err instanceof Stop)) {
      verdict = 'error';
      reasons.push(describeError(err, redis.address));
    }
  } finally {
    cleanup = await cleanUp();
  }
  if (!slidingWindowTested) {
    notes.push(
      app
        ? 'The sliding window was not tested: the run stopped before the session was accessed.'
        : `The sliding window was not tested: configure app.baseUrl and app.tokenEnv for ${env.name} to verify it through the app's API.`,
    );
  }
  return {
    environment: env.name,
    mode,
    verdict,
    reasons,
    notes,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Math.round(now() - startedAt),
    key: displayKey,
    expectedTtlSeconds: expected,
    slidingWindow: env.slidingWindow,
    slidingWindowTested,
    waitSeconds,
    measurements: m,
    cleanup,
  };
}
