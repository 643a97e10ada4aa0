/** How long in-flight work gets after SIGTERM before it is interrupted (SHUTDOWN_GRACE_SECONDS). */
export const DEFAULT_GRACE_MS = 20_000;
/** After the grace period, how long interrupted work gets to tell its users and clean up. */
export const DEFAULT_LAST_WORDS_MS = 5000;

/**
 * The one deadline every phase of shutdown shares (draining work, last words, stopping workers, closing
 * sources), fixed when shutdown starts: grace + last words after the SIGTERM is the whole budget, whatever
 * hangs. A phase that ends early leaves its time to the next; none adds time of its own.
 *
 * @example
 * const deadline = shutdownDeadline({ graceMs: 20_000, lastWordsMs: 5000 });
 * const drained = await deadline.settles(work.idle(), deadline.graceEnd);
 * const closed = await deadline.settles(closeSources());
 */
export interface ShutdownDeadline {
  /** When the grace period ends (on `now()`'s clock): work still running then is interrupted. */
  readonly graceEnd: number;
  /** When the whole budget ends: shutdown is over by then. */
  readonly end: number;
  /** Whether `work` settles before `until` (default `end`); the timer does not hold the process open. */
  settles(work: Promise<unknown>, until?: number): Promise<boolean>;
}

export function shutdownDeadline(opts: { graceMs: number; lastWordsMs: number; now?: () => number }): ShutdownDeadline {
  const now = opts.now ?? (() => performance.now());
  const graceEnd = now() + opts.graceMs;
  const end = graceEnd + opts.lastWordsMs;
  return {
    graceEnd,
    end,
    async settles(work, until = end) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), Math.max(0, until - now()));
        timer.unref();
      });
      try {
        return await Promise.race([work.then(() => true), expired]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
