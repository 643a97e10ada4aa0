import { UserError } from './errors.js';

export interface KeyedLimiterOptions {
  /** At most this many run at once per key (an environment); default 2. */
  perKey?: number;
  /** At most this many run at once in all; default 8. Kept above `perKey`, so one key never holds every slot. */
  global?: number;
  /** At most this many wait per key; one more is refused at once (default: no bound). */
  maxQueuedPerKey?: number;
  /** The error a refused run rejects with (default: a UserError naming the key). */
  full?: (key: string, running: number, queued: number) => Error;
}

/** Runs work per key, bounded per key and in all; the waiting ones start in arrival order as room frees up. */
export interface KeyedLimiter {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Running and waiting work of a key (for logs and tests). */
  load(key: string): { running: number; queued: number };
}

/** Default limits of diagnoses per environment, and in all. */
export const DEFAULT_PER_ENVIRONMENT = 2;
export const DEFAULT_GLOBAL = 8;

/**
 * A counting semaphore per key under a global one. A key at its limit queues its own work only: the
 * others still start while free global slots remain, and since `perKey` < `global`, one key (a stalled
 * environment whose diagnoses all wait on check timeouts) cannot take every slot.
 *
 * @example
 * const gate = createKeyedLimiter({ perKey: 2, global: 8, maxQueuedPerKey: 8 });
 * await gate.run('prod', () => runDiagnosis(...)); // waits only behind other work of 'prod', or a full house
 */
export function createKeyedLimiter(opts: KeyedLimiterOptions = {}): KeyedLimiter {
  const perKey = Math.max(1, opts.perKey ?? DEFAULT_PER_ENVIRONMENT);
  const global = Math.max(perKey + 1, opts.global ?? DEFAULT_GLOBAL);
  const running = new Map<string, number>();
  let total = 0;
  /** Waiting work in arrival order, all keys together. */
  const waiting: { key: string; start: () => void }[] = [];
  const queuedOf = (key: string) => waiting.reduce((n, w) => n + (w.key === key ? 1 : 0), 0);
  const full =
    opts.full ??
    ((key: string, r: number, q: number) =>
      new UserError(`"${key}" is busy: ${r} running and ${q} waiting already. Try again when they are done.`, 'busy'));

  const take = (key: string) => {
    running.set(key, (running.get(key) ?? 0) + 1);
    total++;
  };
  const release = (key: string) => {
    const n = (running.get(key) ?? 1) - 1;
    if (n > 0) running.set(key, n);
    else running.delete(key);
    total--;
    pump();
  };
  /** Starts the oldest waiting work whose key has room, as long as there are global slots. */
  function pump(): void {
    for (let i = 0; i < waiting.length && total < global;) {
      const w = waiting[i];
      if (!w) break;
      if ((running.get(w.key) ?? 0) < perKey) {
        waiting.splice(i, 1);
        take(w.key);
        w.start();
      } else i++;
    }
  }

  return {
    async run(key, work) {
      if (total < global && (running.get(key) ?? 0) < perKey) take(key);
      else {
        const queued = queuedOf(key);
        if (opts.maxQueuedPerKey !== undefined && queued >= opts.maxQueuedPerKey)
          throw full(key, running.get(key) ?? 0, queued);
        await new Promise<void>((start) => waiting.push({ key, start }));
      }
      try {
        return await work();
      } finally {
        release(key);
      }
    },
    load: (key) => ({ running: running.get(key) ?? 0, queued: queuedOf(key) }),
  };
}

/**
 * `max` at once in all and at most half of them (at least 1) per key: a drop-in for a plain limiter
 * whose callers name the key, e.g. alert diagnoses by environment, so a stalled environment cannot hold
 * every slot while another's alerts wait.
 */
export function perKeyShare(max: number): <T>(work: () => Promise<T>, key?: string) => Promise<T> {
  const gate = createKeyedLimiter({ perKey: Math.max(1, Math.floor(max / 2)), global: Math.max(2, max) });
  return (work, key) => gate.run(key ?? '', work);
}
