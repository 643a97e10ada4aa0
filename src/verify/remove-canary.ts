import { duration } from '../core/format.js';
import { UserError } from '../core/errors.js';
import { describeSourceFailure } from '../diagnostics/source-failure.js';
import type { CanaryRecord } from './canary-steps.js';
import type { VerifyPlan } from './plan-verify.js';
import type { VerifyCleanup } from './verify-result.js';

/** A failure in words: a UserError says it itself, anything else is described as a Redis failure. */
export function describeVerifyError(err: unknown, redisAddress: string): string {
  if (err instanceof UserError) return err.message;
  return describeSourceFailure(err, ['redis'], redisAddress).message;
}

/**
 * Removes the canary whatever the run's outcome: the app's DELETE for a session, then the key is removed (also
 * after the app's DELETE: the key is what must not stay behind) without a DEL the next diagnosis would count as
 * the app's (`CanaryRedis.remove`), confirmed with EXISTS. Never throws; what could not be
 * done is in `error`, with what to do by hand.
 */
export async function removeCanary(plan: VerifyPlan, canary: CanaryRecord): Promise<VerifyCleanup> {
  const { app, redis } = plan;
  const { key, sessionId, displayKey } = canary;
  if (key === undefined && sessionId === undefined) return { status: 'nothing_written' };
  const out: VerifyCleanup = { status: 'failed' };
  const problems: string[] = [];
  if (app && sessionId !== undefined) {
    try {
      await app.deleteSession(sessionId);
      out.appDelete = 'ok';
    } catch (err) {
      out.appDelete = 'failed';
      problems.push(describeVerifyError(err, redis.address));
    }
  }
  if (key !== undefined) {
    try {
      await redis.remove(key);
      if (await redis.exists(key)) problems.push(`${displayKey} still exists after it was removed.`);
      else out.status = 'removed';
    } catch (err) {
      problems.push(describeVerifyError(err, redis.address));
    }
  }
  if (problems.length) out.error = cleanupError(canary, problems, plan.env.expectedTtlSeconds);
  return out;
}

function cleanupError(canary: CanaryRecord, problems: string[], expectedTtlSeconds: number): string {
  const { displayKey } = canary;
  const within = duration(expectedTtlSeconds);
  return canary.written
    ? `Could not remove ${displayKey}: ${problems.join(' ')} Delete it by hand; its TTL removes it within ${within} at the latest.`
    : `The write of ${displayKey} failed, so it is most likely not there, but its absence could not be confirmed: ` +
        `${problems.join(' ')} If it exists, its TTL removes it within ${within}.`;
}
