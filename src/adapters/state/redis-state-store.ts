import type { Redis } from 'ioredis';
import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import { STATE_KEY_PREFIX, type QueueStore } from '../../core/ports/state-store.js';

/** The Redis commands the state store uses. */
export type StateRedis = Pick<Redis, 'set' | 'get' | 'getdel' | 'del' | 'eval'>;

// GET, compare and write in one script: Redis runs it without interleaving another client's command.
const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

// A queue is a sorted set of ids by due time (KEYS[1]); each entry's value is a key of its own with an expiry
// (the id appended to ARGV's item prefix). The set itself expires with the longest-lived entry.
const ENQUEUE = `redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1`;
// Due entries are leased by moving their due time to the lease's end, in the same script that reads them.
const TAKE_DUE = `local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('GET', ARGV[4] .. id)
  if v then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    table.insert(out, id)
    table.insert(out, v)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out`;
const REMOVE = `redis.call('ZREM', KEYS[1], ARGV[1]) return redis.call('DEL', KEYS[2])`;
const SIZE = `return redis.call('ZCARD', KEYS[1])`;

/**
 * The state store in a Redis that the bot uses for its own state (`STATE_REDIS_URL`), shared by
 * every replica. Every key is namespaced with `session-ttl-bot:` and written with an expiry.
 *
 * @example
 * const store = redisStateStore(new Redis(url), { description: 'redis-state:6379' });
 * if (await store.claim('dedupe:event:Ev1', '1', 3_600_000)) { ...first delivery... }
 */
export function redisStateStore(
  client: StateRedis,
  opts: { prefix?: string; description?: string } = {},
): CasStateStore & QueueStore {
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
    async enqueue(queue, id, value, dueAt, ttlMs) {
      await client.eval(
        ENQUEUE,
        2,
        k(`queue:${queue}`),
        k(`queue:${queue}:${id}`),
        id,
        value,
        Math.floor(dueAt),
        ms(ttlMs),
      );
    },
    async takeDue(queue, at, leaseMs, limit) {
      const reply = await client.eval(
        TAKE_DUE,
        1,
        k(`queue:${queue}`),
        Math.floor(at),
        Math.floor(at + leaseMs),
        limit,
        k(`queue:${queue}:`),
      );
      const flat = Array.isArray(reply) ? reply.map(String) : [];
      const out: { id: string; value: string }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i]!, value: flat[i + 1]! });
      return out;
    },
    async remove(queue, id) {
      await client.eval(REMOVE, 2, k(`queue:${queue}`), k(`queue:${queue}:${id}`), id);
    },
    async size(queue) {
      return Number(await client.eval(SIZE, 1, k(`queue:${queue}`)));
    },
  };
}
