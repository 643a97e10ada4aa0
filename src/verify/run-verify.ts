import { randomBytes } from 'node:crypto';
import { sleepUnlessAborted } from './abortable-wait.js';
import { type CanaryRun, measureCanary, type Stopped, stopWith, Tally } from './canary-steps.js';
import type { VerifyPlan } from './plan-verify.js';
import { describeVerifyError, removeCanary } from './remove-canary.js';
import type { VerifyCleanup, VerifyProgress, VerifyResult } from './verify-result.js';

export { CANARY_KEY_MARK, CANARY_USER_ID, INTERRUPTED_REASON } from './canary-steps.js';

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

function canaryRun(plan: VerifyPlan, deps: VerifyRunDeps): CanaryRun {
  return {
    plan,
    now: deps.now ?? Date.now,
    sleep: deps.sleep ?? ((ms: number) => sleepUnlessAborted(ms, deps.signal)),
    randomHex: deps.randomHex ?? (() => randomBytes(8).toString('hex')),
    ...(deps.signal ? { signal: deps.signal } : {}),
    progress: async (p) => {
      try {
        await deps.onProgress?.(p);
      } catch {
        // Progress is a nicety: a Slack hiccup must not leave a canary behind or change the verdict.
      }
    },
    tally: new Tally(),
    canary: { displayKey: '', written: false },
  };
}

/**
 * The runbook's Verification as a canary. Writes a session (through the app API when configured, else a
 * `ttl-canary-` key with SET EX the expected TTL), reads its TTL, waits `plan.waitSeconds`, reads it
 * again and compares the decay with the clock; in app mode it then accesses the session and checks the
 * sliding window (the steps are in canary-steps.ts). The canary is removed in every outcome, and every
 * outcome is data: this function does not throw.
 */
export async function runVerify(plan: VerifyPlan, deps: VerifyRunDeps = {}): Promise<VerifyResult> {
  const run = canaryRun(plan, deps);
  const startedAt = run.now();
  await run.progress({
    phase: 'writing',
    environment: plan.env.name,
    mode: plan.app ? 'app' : 'canary',
    waitSeconds: plan.waitSeconds,
  });
  let stopped: Stopped | undefined;
  let cleanup: VerifyCleanup;
  try {
    stopped = await measureCanary(run);
  } catch (err) {
    stopped = stopWith('error', describeVerifyError(err, plan.redis.address));
  } finally {
    cleanup = await removeCanary(plan, run.canary);
  }
  return resultOf(run, { startedAt, stopped, cleanup });
}

function resultOf(
  run: CanaryRun,
  end: { startedAt: number; stopped: Stopped | undefined; cleanup: VerifyCleanup },
): VerifyResult {
  const { env, app, waitSeconds } = run.plan;
  const { tally } = run;
  const reasons = end.stopped ? [...tally.reasons, end.stopped.reason] : tally.reasons;
  const notes = [...run.plan.notes];
  if (!tally.slidingWindowTested) {
    notes.push(
      app
        ? 'The sliding window was not tested: the run stopped before the session was accessed.'
        : `The sliding window was not tested: configure app.baseUrl and app.tokenEnv for ${env.name} ` +
            "to verify it through the app's API.",
    );
  }
  return {
    environment: env.name,
    mode: app ? 'app' : 'canary',
    verdict: end.stopped?.verdict ?? (tally.failed ? 'fail' : 'pass'),
    reasons,
    notes,
    startedAt: new Date(end.startedAt).toISOString(),
    durationMs: Math.round(run.now() - end.startedAt),
    key: run.canary.displayKey,
    expectedTtlSeconds: env.expectedTtlSeconds,
    slidingWindow: env.slidingWindow,
    slidingWindowTested: tally.slidingWindowTested,
    waitSeconds,
    measurements: tally.measurements,
    cleanup: end.cleanup,
  };
}
