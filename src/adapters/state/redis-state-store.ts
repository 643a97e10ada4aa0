import type { Redis } from 'ioredis';
import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import { STATE_KEY_PREFIX } from '../../core/ports/state-store.js';

/** The Redis commands the state store uses. */
export type StateRedis = Pick<Redis, 'set' | 'get' | 'getdel' | 'del' | 'eval'>;

// GET, compare and write in one script: Redis runs it without interleaving another client's command.
const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * The state store in a Redis that the bot uses for its own state (`STATE_REDIS_URL`), shared by
 * every replica. Every key is namespaced with `session-ttl-bot:` and written with an expiry.
 *
 * @example
 * const store = redisStateStore(new Redis(url), { description: 'redis-state:6379' });
 * if (await store.claim('dedupe:event:Ev1', '1', 3_600_000)) { ...first delivery... }
 */
export function redisStateStore(client: StateRedis, opts: { prefix?: string; description?: string } = {}): CasStateStore {
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
    async compareAndSet(key, expected, next, ttlMs) {
      return (await client.eval(COMPARE_AND_SET, 1, k(key), expected, next, ms(ttlMs))) === 1;
    },
    async compareAndDelete(key, expected) {
      return (await client.eval(COMPARE_AND_DELETE, 1, k(key), expected)) === 1;
    },
  };
}
