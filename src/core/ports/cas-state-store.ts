import type { StateStore } from './state-store.js';

/**
 * A state store that can change an entry only if nobody changed it since it was read: what pending
 * approvals (two approvers racing) and leases (release only by the holder) need. Redis runs each
 * operation as one Lua script; memory compares synchronously.
 *
 * @example
 * const before = await store.get(key);
 * if (!(await store.compareAndSet(key, before, next, ttlMs))) { ...someone else won: read again... }
 */
export interface CasStateStore extends StateStore {
  /** Replaces `key` with `next` (new expiry `ttlMs`) only when it holds exactly `expected`; true when replaced. */
  compareAndSet(key: string, expected: string, next: string, ttlMs: number): Promise<boolean>;
  /** Deletes `key` only when it holds exactly `expected`; true when deleted. */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
}
