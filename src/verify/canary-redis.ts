import type { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../config.js';
import { UserError } from '../errors.js';
import { connectRedis, parseInfo } from '../adapters/redis-node.js';

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

/** A CanaryRedis over one ioredis client (owned by the caller unless `close` is used). */
export function canaryRedisFrom(client: Redis, address: string): CanaryRedis {
  return {
    address,
    async setEx(key, value, ttlSeconds) {
      await client.set(key, value, 'EX', ttlSeconds);
    },
    pttl: async (key) => Number(await client.pttl(key)),
    del: (key) => client.del(key),
    exists: async (key) => (await client.exists(key)) > 0,
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

function redactedAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'invalid-url';
  }
}

/**
 * Opens a write-capable connection to an environment's session store, for the canary only. The
 * password comes from the env var named in `redis.passwordEnv`; a missing one is a UserError before
 * anything connects. Commands fail after `connectTimeoutMs` instead of hanging.
 */
export function openCanaryRedis(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): CanaryRedis {
  const { redis } = env;
  const password = redis.passwordEnv ? processEnv[redis.passwordEnv] : undefined;
  if (redis.passwordEnv && password === undefined) {
    throw new UserError(
      `The Redis password env var ${redis.passwordEnv} (redis.passwordEnv of environment "${env.name}") is not set in the bot's environment.`,
      'redis_config',
    );
  }
  const username = redis.usernameEnv ? processEnv[redis.usernameEnv] : undefined;
  const client = connectRedis({
    url: redis.url,
    connectTimeoutMs: redis.connectTimeoutMs,
    commandTimeoutMs: Math.max(redis.connectTimeoutMs, 2000),
    ...(password !== undefined ? { password } : {}),
    ...(username !== undefined ? { username } : {}),
  });
  return canaryRedisFrom(client, redactedAddress(redis.url));
}
