import type { EnvironmentConfig } from '../../config/config.js';

// The port verify writes its canary through; the ioredis
// implementation is `adapters/redis/canary-redis.ts`, so verify never holds a Redis client.

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
 * Opens a write-capable connection to an environment's session store, for the canary only. Throws a
 * UserError for a configuration problem (an unset password env var) before anything connects.
 */
export type OpenCanaryRedis = (env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv) => CanaryRedis;
