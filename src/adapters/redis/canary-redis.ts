import type { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import type { CanaryRedis } from '../../verify/canary-redis.js';
import { connectRedis, parseInfo } from './redis-node.js';
import { redactedAddress, redisConnectOptions } from './connect-options.js';
import { trackConnectionErrors } from './connection-errors.js';
import { classifyRedisError } from './redis-error.js';

// The ioredis side of verify's canary port: the verification itself only sees `CanaryRedis`.

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
