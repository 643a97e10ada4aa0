import { UserError } from '../../core/errors.js';
import { ClusterError } from '../../core/ports/cluster.js';
import { RedisAdminError } from '../../core/ports/redis-admin-error.js';
import type { ConfigMapChange, RedisConfigChange } from '../changes.js';
import type { StepState } from '../journal.js';
import type { ActionContext, Change, ClusterWritePort } from '../types.js';

/**
 * Whether a failed call leaves open whether it took effect: a timeout or a broken connection (the request
 * may have reached the server, and a PATCH may still land). Such a step is read back before anything is decided.
 */
export function outcomeUnknown(err: unknown): boolean {
  if (err instanceof ClusterError) return err.kind === 'unreachable';
  if (err instanceof RedisAdminError) return err.kind === 'timeout' || err.kind === 'unreachable';
  return false;
}

/**
 * A step whose outcome stays unknown after its read-back (a PATCH that may still land): the apply stops
 * there and puts nothing back, since what is really in place is not known yet; the reconciler reads it again.
 */
export class OutcomeUnknownError extends UserError {
  override name = 'OutcomeUnknownError';
  constructor(message: string) {
    super(message, 'outcome_unknown');
  }
}

/** A timed-out step read back: it landed, it did not (and cannot any more), or it is still unknown. */
export type Settled =
  | { landed: true; detail: string; resourceVersion?: string }
  | { landed: false; detail: string }
  | { landed: 'unknown'; detail: string };

const text = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Writes a step's state to the apply journal, when the apply keeps one. */
export async function logStep(ctx: ActionContext, c: Change, state: StepState, detail?: string): Promise<void> {
  await ctx.steps?.record(c, state, detail);
}

/** CONFIG GET of a parameter whose CONFIG SET timed out. */
export async function settleRedis(ctx: ActionContext, c: RedisConfigChange): Promise<Settled> {
  try {
    const now = await ctx.redis.configGet(c.node, c.parameter);
    if (now === c.after) return { landed: true, detail: `read back after the timeout: ${c.parameter} is "${now}"` };
    if (now === c.before)
      return { landed: false, detail: `read back after the timeout: ${c.parameter} is still "${now}"` };
    return { landed: 'unknown', detail: `read back after the timeout: ${c.parameter} is "${now}", neither value` };
  } catch (err) {
    return { landed: 'unknown', detail: `it could not be read back (${text(err)}); it may have changed` };
  }
}

/**
 * A ConfigMap PATCH that timed out, read back (GET): landed, or not. When not, the PATCH could still land
 * later, so the object is fenced (its resourceVersion moved past the one the PATCH carries): then it cannot.
 * When neither the read nor the fence answers, the outcome stays unknown and says the PATCH may still land.
 */
export async function settleConfigMap(cluster: ClusterWritePort, c: ConfigMapChange): Promise<Settled> {
  const what = `ConfigMap ${c.namespace}/${c.name}`;
  const read = async () => {
    const cm = await cluster.readConfigMap(c.name);
    return cm && cm.data[c.key] === c.after ? cm.resourceVersion : undefined;
  };
  let seen = 'could not be read back';
  try {
    const landed = await read();
    if (landed)
      return {
        landed: true,
        detail: `read back after the timeout: the PATCH of ${what} landed`,
        resourceVersion: landed,
      };
    seen = 'was not changed when read back';
  } catch {
    // Unreadable: the fence below decides.
  }
  try {
    await cluster.fenceConfigMap(c.name, c.resourceVersion);
    return {
      landed: false,
      detail: `read back after the timeout: ${what} was not changed, and it was fenced (resourceVersion moved) so the PATCH can no longer land`,
    };
  } catch (err) {
    if (err instanceof ClusterError && err.kind === 'conflict') {
      const landed = await read().catch(() => undefined);
      if (landed)
        return {
          landed: true,
          detail: `read back after the timeout: the PATCH of ${what} landed`,
          resourceVersion: landed,
        };
      return {
        landed: false,
        detail: `read back after the timeout: ${what} was changed by someone else, so the PATCH can no longer land`,
      };
    }
    return {
      landed: 'unknown',
      detail: `${what} ${seen} and could not be fenced (${text(err)}): the PATCH may still land`,
    };
  }
}
