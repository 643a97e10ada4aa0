import type { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../config/config.js';
import { connectRedis, parseInfo } from '../adapters/redis/redis-node.js';
import { redactedAddress, redisConnectOptions } from '../adapters/redis/connect-options.js';
import { trackConnectionErrors } from '../adapters/redis/connection-errors.js';
import { classifyRedisError } from '../adapters/redis/redis-error.js';

/** The Redis commands the verification sends, narrowed to the canary key. */
export interface CanaryRedis {
  /** `host:port`, for messages. Never contains a password. */
  readonly address: string;
  /** `SET key value EX ttl`. */
  setEx(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** `PTTL key` in ms: -1 no expiry, -2 no such key. */
  pttl(key: string): Promise<number>;
  /** `DEL key`; the number of keys removed. */
  del(key: string): Promise<number>;
  exists(key: string): Promise<boolean>;
  /** `evicted_keys` from INFO stats; undefined when INFO is refused. */
  evictedKeys(): Promise<number | undefined>;
  close(): Promise<void>;
}

/**
 * A CanaryRedis over one ioredis client (owned by the caller unless `close` is used). Failures leave
 * as `RedisSourceError`s naming the command, so the verification reports them like the checks do.
 */
export function canaryRedisFrom(client: Redis, address: string): CanaryRedis {
  const lastConnectionError = trackConnectionErrors(client);
  const user = client.options.username ?? 'default';
  const call = async <T>(command: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw classifyRedisError(err, { address, command, user, lastConnectionError: lastConnectionError() });
    }
  };
  return {
    address,
    async setEx(key, value, ttlSeconds) {
      await call('SET', () => client.set(key, value, 'EX', ttlSeconds));
    },
    pttl: async (key) => Number(await call('PTTL', () => client.pttl(key))),
    del: (key) => call('DEL', () => client.del(key)),
    exists: async (key) => (await call('EXISTS', () => client.exists(key))) > 0,
    async evictedKeys() {
      try {
        const v = parseInfo(await client.info('stats')).evicted_keys;
        return v === undefined ? undefined : Number(v);
      } catch {
        return undefined;
      }
    },
    close: async () => {
      client.disconnect();
    },
  };
}

/**
 * Opens a write-capable connection to an environment's session store, for the canary only. The
 * password comes from the env var named in `redis.passwordEnv`; a missing one is a UserError before
 * anything connects. Commands fail after `connectTimeoutMs` instead of hanging.
 */
export function openCanaryRedis(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): CanaryRedis {
  const options = redisConnectOptions(env, processEnv);
  const client = connectRedis({ ...options, commandTimeoutMs: Math.max(env.redis.connectTimeoutMs, 2000) });
  return canaryRedisFrom(client, redactedAddress(env.redis.url));
}
