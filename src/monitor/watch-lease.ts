import { parseStored } from '../core/stored-json.js';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CasStateStore } from '../core/ports/cas-state-store.js';

const heldSchema = z.object({ token: z.string(), holder: z.string(), since: z.number() });
export type WatchHolder = Omit<z.infer<typeof heldSchema>, 'token'>;

export interface WatchLeaseOptions {
  store: CasStateStore;
  env: string;
  /** Who this replica is (the pod name), for `status`. */
  replica: string;
  leaseMs: number;
  now: () => number;
}

/**
 * Which replica watches an environment: a lease in the state store (`SET NX PX`, renewed and released by
 * comparing a random token, as `remediation/lock.ts` does). `held()` is this replica's own view and turns
 * false once `leaseMs` passed since the last successful renewal started, even if the store cannot be
 * reached to say so: by then another replica may have taken over, so counting must stop (no double count).
 */
export function createWatchLease(opts: WatchLeaseOptions) {
  const { store, now, leaseMs } = opts;
  const key = `monitor:lease:${opts.env}`;
  let value: string | undefined;
  let heldUntil = 0;

  return {
    /** Takes the lease when nobody holds it. */
    async acquire(): Promise<boolean> {
      const started = now();
      const v = JSON.stringify({ token: randomBytes(12).toString('base64url'), holder: opts.replica, since: started });
      if (!(await store.claim(key, v, leaseMs))) return false;
      value = v;
      heldUntil = started + leaseMs;
      return true;
    },
    /** Extends it; false when it was lost (expired, maybe taken). A store error keeps the old expiry. */
    async renew(): Promise<boolean> {
      if (value === undefined) return false;
      const started = now();
      if (await store.compareAndSet(key, value, value, leaseMs)) {
        heldUntil = started + leaseMs;
        return true;
      }
      value = undefined;
      heldUntil = 0;
      return false;
    },
    held(): boolean {
      return value !== undefined && now() < heldUntil;
    },
    async release(): Promise<void> {
      const v = value;
      value = undefined;
      heldUntil = 0;
      if (v !== undefined) await store.compareAndDelete(key, v);
    },
    async holder(): Promise<WatchHolder | undefined> {
      const raw = await store.get(key);
      if (raw === undefined) return undefined;
      const held = parseStored(heldSchema, raw);
      return held ? { holder: held.holder, since: held.since } : { holder: 'unknown', since: 0 };
    },
  };
}
export type WatchLease = ReturnType<typeof createWatchLease>;
