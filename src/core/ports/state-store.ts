import { UserError } from '../errors.js';

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

/**
 * Entries due at a time and taken by one caller at a time: the outbox of chat posts that the chat
 * platform refused, tried again later by whichever replica takes them. Keys are relative like the
 * StateStore's, and every entry expires.
 *
 * @example
 * await queue.enqueue('outbox', id, JSON.stringify(post), Date.now() + 5000, 3_600_000);
 * for (const { id, value } of await queue.takeDue('outbox', Date.now(), 30_000, 10)) {
 *   ...post it; then queue.remove('outbox', id), or enqueue it again with a later due time...
 * }
 */
export interface QueueStore {
  /** Adds (or replaces) entry `id` of `queue`, due at `dueAt` (ms since the epoch); it expires `ttlMs` from now. */
  enqueue(queue: string, id: string, value: string, dueAt: number, ttlMs: number): Promise<void>;
  /**
   * Up to `limit` entries due at `now`, oldest due first, each leased to this caller: nobody else takes it
   * before `now + leaseMs`, so a caller that dies mid-way leaves it to the next one.
   */
  takeDue(queue: string, now: number, leaseMs: number, limit: number): Promise<{ id: string; value: string }[]>;
  /**
   * Moves the due time of entry `id` to `until` if the entry is still queued (Redis `ZADD XX`): the
   * heartbeat of a caller working a leased entry, and how it puts one back for a later try. False when
   * the entry is gone (removed, or expired).
   */
  renew(queue: string, id: string, until: number): Promise<boolean>;
  remove(queue: string, id: string): Promise<void>;
  /** How many entries `queue` holds (due or not). */
  size(queue: string): Promise<number>;
}

/**
 * The bot's own state store did not answer (down, unreachable, refused): raised by the state store
 * adapters, whose message says which store and why in words for the person, so a click whose state
 * cannot be read or written is answered with what failed rather than nothing.
 *
 * @example
 * new StateStoreError('Redis at 10.0.0.9:6379 is unreachable: it refused the connection (ECONNREFUSED).')
 */
export class StateStoreError extends UserError {
  override name = 'StateStoreError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(
      `The bot's state store is not answering (${reason.replace(/\.$/, '')}), so this could not be done. ` +
        'Try again once it answers (STATE_REDIS_URL).',
      'state_store_unavailable',
    );
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
