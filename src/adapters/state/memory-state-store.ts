import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import type { QueueStore } from '../../core/ports/state-store.js';

/**
 * The state store of a single replica, for when no state Redis is configured. Replicas do not share
 * it, so two of them may both answer one alert. Bounded: past `maxEntries` the oldest entries go.
 */
export function memoryStateStore(opts: { now?: () => number; maxEntries?: number } = {}): CasStateStore & QueueStore {
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 10_000;
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const queues = new Map<string, Map<string, { dueAt: number }>>();
  const queue = (name: string) => {
    const q = queues.get(name) ?? new Map<string, { dueAt: number }>();
    queues.set(name, q);
    return q;
  };

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
    // A queue entry's value lives under `queue:<name>:<id>`, so it expires (and is bounded) like any entry.
    async enqueue(name, id, value, dueAt, ttlMs) {
      write(`queue:${name}:${id}`, value, ttlMs);
      queue(name).set(id, { dueAt });
    },
    async takeDue(name, at, leaseMs, limit) {
      const q = queue(name);
      const due = [...q].filter(([, e]) => e.dueAt <= at).sort(([, a], [, b]) => a.dueAt - b.dueAt);
      const out: { id: string; value: string }[] = [];
      for (const [id, e] of due) {
        if (out.length >= limit) break;
        const value = live(`queue:${name}:${id}`)?.value;
        if (value === undefined) {
          q.delete(id);
          continue;
        }
        e.dueAt = at + leaseMs;
        out.push({ id, value });
      }
      return out;
    },
    async remove(name, id) {
      queue(name).delete(id);
      entries.delete(`queue:${name}:${id}`);
    },
    async size(name) {
      const q = queue(name);
      for (const id of q.keys()) if (!live(`queue:${name}:${id}`)) q.delete(id);
      return q.size;
    },
  };
}
