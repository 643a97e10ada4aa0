import { parseStored } from '../core/stored-json.js';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CasStateStore } from '../core/ports/cas-state-store.js';

/** Who holds an environment's lock, as stored: the token proves it, the rest is for messages. */
const heldSchema = z.object({ token: z.string(), holder: z.string(), since: z.number() });
export type LockHolder = Omit<z.infer<typeof heldSchema>, 'token'>;

/** A held lock. Renew before `leaseMs` passes or another replica may take it. */
export interface Lease {
  env: string;
  holder: string;
  /** Extends the lease; false when it was lost (expired and maybe taken by someone else). */
  renew(): Promise<boolean>;
  /** Frees the lock if this lease still holds it; false when it had already been lost. */
  release(): Promise<boolean>;
}

export type AcquireResult = { ok: true; lease: Lease } | { ok: false; heldBy: LockHolder | undefined };
export type WithLockResult<T> = { ok: true; value: T } | { ok: false; heldBy: LockHolder | undefined };

export interface EnvLocks {
  /** Takes the environment's lock if nobody holds it (`SET NX PX` with a random token). */
  acquire(env: string, holder: string): Promise<AcquireResult>;
  /**
   * Runs `fn` holding the lock, renewing the lease while it runs and releasing it after. `signal`
   * aborts when a renewal finds the lease lost, so a long action can stop before doing more.
   */
  withLock<T>(env: string, holder: string, fn: (signal: AbortSignal) => Promise<T>): Promise<WithLockResult<T>>;
  /** The current holder, for "prod is busy: … since …". */
  holder(env: string): Promise<LockHolder | undefined>;
  /**
   * Frees the lock when its holder names `mark` (an apply whose replica died, taken over by the reconciler);
   * true when freed. A lock held for anything else is left alone.
   */
  takeOver(env: string, mark: string): Promise<boolean>;
}

export interface EnvLocksDeps {
  store: CasStateStore;
  now: () => number;
  /** Lease length; a replica that dies frees the environment after this long (default 60 s). */
  leaseMs?: number;
  /** Renewal period inside `withLock` (default a third of the lease). */
  renewEveryMs?: number;
  token?: () => string;
}

/**
 * One remediation action per environment at a time, across replicas sharing the state Redis.
 * Release and renewal compare the stored token first (one Lua script), so a holder whose lease
 * expired cannot free or extend the lock someone else took since.
 *
 * @example
 * const r = await locks.withLock('prod', `set-eviction-policy by U1 (${pendingId})`, (signal) => action.apply(ctx, plan));
 * if (!r.ok) say(`prod is busy: ${r.heldBy?.holder}`);
 */
export function createEnvLocks(deps: EnvLocksDeps): EnvLocks {
  const { store, now } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const renewEveryMs = deps.renewEveryMs ?? Math.max(1, Math.floor(leaseMs / 3));
  const token = deps.token ?? (() => randomBytes(16).toString('base64url'));
  const key = (env: string) => `remediation:lock:${env}`;

  async function holder(env: string): Promise<LockHolder | undefined> {
    const raw = await store.get(key(env));
    if (raw === undefined) return undefined;
    const held = parseStored(heldSchema, raw);
    // Something else under our key still holds the lock; it just cannot be described.
    return held ? { holder: held.holder, since: held.since } : { holder: 'unknown', since: 0 };
  }

  async function acquire(env: string, who: string): Promise<AcquireResult> {
    const value = JSON.stringify({ token: token(), holder: who, since: now() });
    if (!(await store.claim(key(env), value, leaseMs))) return { ok: false, heldBy: await holder(env) };
    return {
      ok: true,
      lease: {
        env,
        holder: who,
        renew: () => store.compareAndSet(key(env), value, value, leaseMs),
        release: () => store.compareAndDelete(key(env), value),
      },
    };
  }

  return {
    acquire,
    holder,
    async takeOver(env, mark) {
      const raw = await store.get(key(env));
      const held = raw === undefined ? undefined : parseStored(heldSchema, raw);
      return raw !== undefined && !!held?.holder.includes(mark) && store.compareAndDelete(key(env), raw);
    },
    async withLock(env, who, fn) {
      const got = await acquire(env, who);
      if (!got.ok) return got;
      const { lease } = got;
      const controller = new AbortController();
      const timer = setInterval(() => {
        lease.renew().then(
          (held) => {
            if (!held) controller.abort(new Error(`the lock of ${env} was lost (lease expired)`));
          },
          (err: unknown) => controller.abort(err),
        );
      }, renewEveryMs);
      timer.unref();
      try {
        return { ok: true, value: await fn(controller.signal) };
      } finally {
        clearInterval(timer);
        await lease.release();
      }
    },
  };
}
