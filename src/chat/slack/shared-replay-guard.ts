import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logging.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { createReplayGuard, REPLAY_WINDOW_MS, type ReplayGuard, type ReplayVerdict } from './replay-guard.js';

/** Decides whether a verified request is fresh; the shared guard asks the state store. */
export interface ReplayCheck {
  check(signature: string, timestampSec: number): Promise<ReplayVerdict>;
}

/**
 * The replay guard of every replica at once: a verified signature is claimed in the shared state store
 * (SET NX) for as long as Slack's window accepts it, so the same signed request sent to a second replica
 * is refused there too (401), not only on the replica that saw it first. This replica's own memory
 * answers first (a replay here costs no round trip); when the state store does not answer, that memory
 * alone decides and a warning says so: Slack keeps working while the state Redis is down, and a replay
 * is then refused only on the replica that saw the request.
 */
export function createSharedReplayGuard(opts: {
  store: StateStore;
  now: () => number;
  logger: Logger;
  windowMs?: number;
  local?: ReplayGuard;
}): ReplayCheck {
  const windowMs = opts.windowMs ?? REPLAY_WINDOW_MS;
  const local = opts.local ?? createReplayGuard({ now: opts.now, windowMs });
  return {
    async check(signature, timestampSec) {
      const verdict = local.check(signature, timestampSec);
      if (verdict !== 'fresh') return verdict;
      const now = opts.now();
      // Accepted until its timestamp is a window old; a timestamp ahead of our clock, a window after now.
      const ttlMs = Math.max(timestampSec * 1000, now) + windowMs - now;
      const key = `replay:${createHash('sha256').update(signature).digest('hex')}`;
      try {
        return (await opts.store.claim(key, String(now), ttlMs)) ? 'fresh' : 'replay';
      } catch (err) {
        opts.logger.warn(
          { err, store: opts.store.description },
          "the state store did not answer the replay guard; this replica's memory alone decided",
        );
        return 'fresh';
      }
    },
  };
}

/** The guard for the bot's state store: shared when the replicas share it, else this replica's memory. */
export function replayGuardFor(opts: { store?: StateStore; now: () => number; logger: Logger }): ReplayCheck {
  if (opts.store?.shared) return createSharedReplayGuard({ store: opts.store, now: opts.now, logger: opts.logger });
  const local = createReplayGuard({ now: opts.now });
  return { check: (signature, timestampSec) => Promise.resolve(local.check(signature, timestampSec)) };
}
