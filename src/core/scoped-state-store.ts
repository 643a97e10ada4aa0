import type { CasStateStore } from './ports/cas-state-store.js';

/**
 * The same store with every key under `<scope>:`, so two users of one store never share an entry: each chat
 * platform answers alerts in a key space of its own (its notification claims, cooldowns and incidents), and
 * a diagnosis posted in Slack is no cooldown for the same alert in Teams. Without a scope, the store itself.
 *
 * @example
 * const teamsState = scopedStateStore(state, 'teams'); // `cooldown:x:prod` is kept as `teams:cooldown:x:prod`
 */
export function scopedStateStore(store: CasStateStore, scope: string | undefined): CasStateStore {
  if (!scope) return store;
  const k = (key: string) => `${scope}:${key}`;
  return {
    shared: store.shared,
    description: store.description,
    claim: (key, value, ttlMs) => store.claim(k(key), value, ttlMs),
    get: (key) => store.get(k(key)),
    set: (key, value, ttlMs) => store.set(k(key), value, ttlMs),
    take: (key) => store.take(k(key)),
    delete: (key) => store.delete(k(key)),
    compareAndSet: (key, expected, next, ttlMs) => store.compareAndSet(k(key), expected, next, ttlMs),
    compareAndDelete: (key, expected) => store.compareAndDelete(k(key), expected),
  };
}
