import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logging.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { createReplayGuard, REPLAY_WINDOW_MS, type ReplayGuard, type ReplayVerdict } from './replay-guard.js';

/** Decides whether a verified request is fresh; the shared guard asks the state store. */
export interface ReplayCheck {
  check(signature: string, timestampSec: number): Promise<ReplayVerdict>;
}

/**
 * How long the guard waits for the state store before this replica's memory decides alone: the check sits
 * in front of Slack's 3-second acknowledgement, which a stalled state Redis must not cost the person.
 */
export const REPLAY_STORE_BUDGET_MS = 300;

/** The claim's answer, or `late` when it did not come within `ms` (or the store failed). */
async function within(claim: Promise<boolean>, ms: number): Promise<boolean | 'late' | { err: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    return await Promise.race([claim, late]);
  } catch (err) {
    return { err };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The replay guard of every replica at once: a verified signature is claimed in the shared state store
 * (SET NX) for as long as Slack's window accepts it, so the same signed request sent to a second replica
 * is refused there too (401), not only on the replica that saw it first. This replica's own memory
 * answers first (a replay here costs no round trip). When the state store fails or does not answer within
 * `budgetMs`, that memory alone decides and a warning says so: Slack keeps its answers while the state
 * Redis is down or stalled, and a replay is then refused only on the replica that saw the request.
 */
export function createSharedReplayGuard(opts: {
  store: StateStore;
  now: () => number;
  logger: Logger;
  windowMs?: number;
  budgetMs?: number;
  local?: ReplayGuard;
}): ReplayCheck {
  const windowMs = opts.windowMs ?? REPLAY_WINDOW_MS;
  const budgetMs = opts.budgetMs ?? REPLAY_STORE_BUDGET_MS;
  const local = opts.local ?? createReplayGuard({ now: opts.now, windowMs });
  const { logger, store } = opts;
  return {
    async check(signature, timestampSec) {
      const verdict = local.check(signature, timestampSec);
      if (verdict !== 'fresh') return verdict;
      const now = opts.now();
      // Accepted until its timestamp is a window old; a timestamp ahead of our clock, a window after now.
      const ttlMs = Math.max(timestampSec * 1000, now) + windowMs - now;
      const claim = store.claim(`replay:${createHash('sha256').update(signature).digest('hex')}`, String(now), ttlMs);
      const answer = await within(claim, budgetMs);
      if (typeof answer === 'boolean') return answer ? 'fresh' : 'replay';
      const why = answer === 'late' ? `did not answer within ${budgetMs} ms` : 'failed';
      logger.warn(
        { ...(answer === 'late' ? {} : { err: answer.err }), store: store.description },
        `the state store ${why}: this replica's replay guard alone decided`,
      );
      if (answer === 'late') {
        claim.then(
          (first) => first || logger.warn('a request let through while the state store was slow was a replay'),
          () => undefined,
        );
      }
      return 'fresh';
    },
  };
}

/** The guard for the bot's state store: shared when the replicas share it, else this replica's memory. */
export function replayGuardFor(opts: { store?: StateStore; now: () => number; logger: Logger }): ReplayCheck {
  if (opts.store?.shared) return createSharedReplayGuard({ store: opts.store, now: opts.now, logger: opts.logger });
  const local = createReplayGuard({ now: opts.now });
  return { check: (signature, timestampSec) => Promise.resolve(local.check(signature, timestampSec)) };
}
