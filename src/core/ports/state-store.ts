/**
 * Where the bot keeps its own small state (delivery dedupe, cooldowns, open incidents), shared by
 * every replica when it lives in Redis. Keys are relative: the store adds its namespace
 * (`session-ttl-bot:` for Redis) and every entry expires.
 */
export interface StateStore {
  /** Sets `key` only when it is absent (Redis `SET NX PX`); true when this caller set it. */
  claim(key: string, value: string, ttlMs: number): Promise<boolean>;
  get(key: string): Promise<string | undefined>;
  /** Sets `key` unconditionally with a new expiry. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Reads and removes `key` in one step, so only one replica gets it (Redis `GETDEL`). */
  take(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /** Whether other replicas see the same entries (false for the in-memory store). */
  readonly shared: boolean;
  /** Where the state lives, for logs (never a password). */
  readonly description: string;
}

/** The prefix of every key the bot writes to Redis; never `session:`, which the checks read. */
export const STATE_KEY_PREFIX = 'session-ttl-bot:';
