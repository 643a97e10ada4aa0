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
  /**
   * Removes the key without a DEL: `PEXPIREAT key 1`, a time in the past, deletes it at once and Redis
   * counts it neither as a DEL/UNLINK call nor as an expired key, so the deletion counters a diagnosis
   * reads see the app's deletes only. Where the ACL refuses PEXPIREAT, `DEL key`.
   */
  remove(key: string): Promise<void>;
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
