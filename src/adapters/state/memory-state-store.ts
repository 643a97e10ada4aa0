import type { CasStateStore } from '../../core/ports/cas-state-store.js';

/**
 * The state store of a single replica, for when no state Redis is configured. Replicas do not share
 * it, so two of them may both answer one alert. Bounded: past `maxEntries` the oldest entries go.
 */
export function memoryStateStore(opts: { now?: () => number; maxEntries?: number } = {}): CasStateStore {
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 10_000;
  const entries = new Map<string, { value: string; expiresAt: number }>();

  const live = (key: string) => {
    const e = entries.get(key);
    if (e && e.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  const write = (key: string, value: string, ttlMs: number) => {
    entries.delete(key);
    entries.set(key, { value, expiresAt: now() + ttlMs });
    for (const [k, e] of entries) {
      if (entries.size <= maxEntries && e.expiresAt > now()) break;
      entries.delete(k);
    }
  };

  return {
    shared: false,
    description: 'in-memory (not shared between replicas)',
    async claim(key, value, ttlMs) {
      if (live(key)) return false;
      write(key, value, ttlMs);
      return true;
    },
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlMs) {
      write(key, value, ttlMs);
    },
    async take(key) {
      const e = live(key);
      entries.delete(key);
      return e?.value;
    },
    async delete(key) {
      entries.delete(key);
    },
    // Compare and write happen in one synchronous step, so no other caller runs in between.
    async compareAndSet(key, expected, next, ttlMs) {
      if (live(key)?.value !== expected) return false;
      write(key, next, ttlMs);
      return true;
    },
    async compareAndDelete(key, expected) {
      if (live(key)?.value !== expected) return false;
      entries.delete(key);
      return true;
    },
  };
}
