import type { Redis } from 'ioredis';
import { STATE_KEY_PREFIX, type StateStore } from '../../core/ports/state-store.js';

/** The Redis commands the state store uses. */
export type StateRedis = Pick<Redis, 'set' | 'get' | 'getdel' | 'del'>;

/**
 * The state store in a Redis that the bot uses for its own state (`STATE_REDIS_URL`), shared by
 * every replica. Every key is namespaced with `session-ttl-bot:` and written with an expiry.
 *
 * @example
 * const store = redisStateStore(new Redis(url), { description: 'redis-state:6379' });
 * if (await store.claim('dedupe:event:Ev1', '1', 3_600_000)) { ...first delivery... }
 */
export function redisStateStore(client: StateRedis, opts: { prefix?: string; description?: string } = {}): StateStore {
  const prefix = opts.prefix ?? STATE_KEY_PREFIX;
  const k = (key: string) => `${prefix}${key}`;
  const ms = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));
  return {
    shared: true,
    description: opts.description ?? 'redis',
    async claim(key, value, ttlMs) {
      return (await client.set(k(key), value, 'PX', ms(ttlMs), 'NX')) === 'OK';
    },
    async get(key) {
      return (await client.get(k(key))) ?? undefined;
    },
    async set(key, value, ttlMs) {
      await client.set(k(key), value, 'PX', ms(ttlMs));
    },
    async take(key) {
      return (await client.getdel(k(key))) ?? undefined;
    },
    async delete(key) {
      await client.del(k(key));
    },
  };
}
