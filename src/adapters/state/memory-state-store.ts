import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import type { QueueStore } from '../../core/ports/state-store.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The state store of a single replica, for when no state Redis is configured. Replicas do not share
 * it, so two of them may both answer one alert. Bounded: past `maxEntries` the oldest entries go.
 * Every operation runs in one synchronous step, so compare-and-set needs no lock.
 */
export class MemoryStateStore implements CasStateStore, QueueStore {
  readonly shared = false;
  readonly description = 'in-memory (not shared between replicas)';
  private readonly now: () => number;
  private readonly maxEntries: number;
  /** In insertion order: a write moves its key to the end, so the first entries are the oldest. */
  private readonly entries = new Map<string, Entry>();
  /** Due times by id, per queue; each entry's value is a state entry of its own (`queue:<name>:<id>`). */
  private readonly queues = new Map<string, Map<string, { dueAt: number }>>();

  constructor(opts: { now?: () => number; maxEntries?: number } = {}) {
    this.now = opts.now ?? Date.now;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.write(key, value, ttlMs);
    return true;
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.write(key, value, ttlMs);
  }

  async take(key: string): Promise<string | undefined> {
    const e = this.live(key);
    this.entries.delete(key);
    return e?.value;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async compareAndSet(key: string, expected: string, next: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)?.value !== expected) return false;
    this.write(key, next, ttlMs);
    return true;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    if (this.live(key)?.value !== expected) return false;
    this.entries.delete(key);
    return true;
  }

  async enqueue(name: string, id: string, value: string, dueAt: number, ttlMs: number): Promise<void> {
    this.write(itemKey(name, id), value, ttlMs);
    this.queue(name).set(id, { dueAt });
  }

  async takeDue(name: string, at: number, leaseMs: number, limit: number): Promise<{ id: string; value: string }[]> {
    const q = this.queue(name);
    const due = [...q].filter(([, e]) => e.dueAt <= at).sort(([, a], [, b]) => a.dueAt - b.dueAt);
    const out: { id: string; value: string }[] = [];
    for (const [id, e] of due) {
      if (out.length >= limit) break;
      const value = this.live(itemKey(name, id))?.value;
      if (value === undefined) {
        q.delete(id);
        continue;
      }
      e.dueAt = at + leaseMs;
      out.push({ id, value });
    }
    return out;
  }

  async renew(name: string, id: string, until: number): Promise<boolean> {
    const e = this.queue(name).get(id);
    if (!e || !this.live(itemKey(name, id))) return false;
    e.dueAt = until;
    return true;
  }

  async remove(name: string, id: string): Promise<void> {
    this.queue(name).delete(id);
    this.entries.delete(itemKey(name, id));
  }

  async size(name: string): Promise<number> {
    const q = this.queue(name);
    for (const id of q.keys()) if (!this.live(itemKey(name, id))) q.delete(id);
    return q.size;
  }

  private queue(name: string): Map<string, { dueAt: number }> {
    const q = this.queues.get(name) ?? new Map<string, { dueAt: number }>();
    this.queues.set(name, q);
    return q;
  }

  /** The entry, unless it has expired (then it is dropped). */
  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Writes `key` as the newest entry, then drops expired entries from the oldest end and any past the bound. */
  private write(key: string, value: string, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && e.expiresAt > this.now()) break;
      this.entries.delete(k);
    }
  }
}

/** A queue entry's value lives under `queue:<name>:<id>`, so it expires (and is bounded) like any entry. */
const itemKey = (name: string, id: string) => `queue:${name}:${id}`;

/** The in-memory state store (see `MemoryStateStore`). */
export function memoryStateStore(opts: { now?: () => number; maxEntries?: number } = {}): CasStateStore & QueueStore {
  return new MemoryStateStore(opts);
}
