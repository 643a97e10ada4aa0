/** Slack's window for request timestamps; Bolt rejects older ones itself. */
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

export type ReplayVerdict = 'fresh' | 'replay' | 'future';

export interface ReplayGuard {
  /**
   * Records a verified signature. `replay` when it was already seen inside the window, `future` when
   * its timestamp is more than the window ahead of our clock (Bolt only rejects old timestamps).
   */
  check(signature: string, timestampSec: number): ReplayVerdict;
  readonly size: number;
}

/**
 * Remembers the signatures of verified requests for as long as their timestamp is acceptable, so an
 * exact replay inside Slack's 5 minute window is refused. Memory stays bounded: an entry lives at most
 * twice the window, and the oldest entries go first when `maxEntries` is reached.
 */
export function createReplayGuard(opts: { now: () => number; windowMs?: number; maxEntries?: number }): ReplayGuard {
  const windowMs = opts.windowMs ?? REPLAY_WINDOW_MS;
  const maxEntries = opts.maxEntries ?? 100_000;
  const expiresAt = new Map<string, number>();

  const prune = (now: number) => {
    for (const [sig, exp] of expiresAt) {
      if (exp > now && expiresAt.size <= maxEntries) break;
      expiresAt.delete(sig);
    }
  };

  return {
    check(signature, timestampSec) {
      const now = opts.now();
      prune(now);
      const tsMs = timestampSec * 1000;
      if (tsMs > now + windowMs) return 'future';
      const seen = expiresAt.get(signature);
      if (seen !== undefined && seen > now) return 'replay';
      // Entries are inserted in arrival order; a timestamp lies at most one window ahead, so expiry
      // order and insertion order differ by at most that much and pruning from the front is enough.
      expiresAt.set(signature, Math.max(tsMs, now) + windowMs);
      return 'fresh';
    },
    get size() {
      return expiresAt.size;
    },
  };
}
