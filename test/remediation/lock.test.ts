import { afterEach, describe, expect, it } from 'vitest';
import { createEnvLocks } from '../../src/remediation/lock.js';
import { eventually } from '../support/eventually.js';
import { storeKinds, testClock } from './state-stores.js';

describe.each(storeKinds())('environment lock in the $name state store', (kind) => {
  afterEach(() => kind.close());

  it('excludes a second holder (another replica) and names the first', async () => {
    const clock = testClock();
    const a = createEnvLocks({ store: await kind.open(clock.now), now: clock.now });
    const b = createEnvLocks({ store: await kind.replica(), now: clock.now });
    const first = await a.acquire('prod', 'set-eviction-policy by U1');
    expect(first.ok).toBe(true);
    expect(await b.acquire('prod', 'rollout-restart by U2')).toEqual({
      ok: false,
      heldBy: { holder: 'set-eviction-policy by U1', since: clock.now() },
    });
    // Another environment is independent.
    expect((await b.acquire('staging', 'x')).ok).toBe(true);
    if (first.ok) expect(await first.lease.release()).toBe(true);
    expect((await b.acquire('prod', 'rollout-restart by U2')).ok).toBe(true);
  });

  it('a lease that expired and was taken by someone else can neither release nor renew the new holder', async () => {
    const clock = testClock();
    const a = createEnvLocks({ store: await kind.open(clock.now), now: clock.now, leaseMs: 150 });
    const b = createEnvLocks({ store: await kind.replica(), now: clock.now, leaseMs: 60_000 });
    const stale = await a.acquire('prod', 'A');
    if (!stale.ok) throw new Error('expected the lock');
    // Given A's lease expires (memory: the clock moves; Redis: PX runs out) and B takes the lock
    clock.advance(200);
    let taken: Awaited<ReturnType<typeof b.acquire>> | undefined;
    await eventually('B to take the lock', async () => (taken = await b.acquire('prod', 'B')).ok);
    // When A, holding a foreign token now, releases and renews
    expect(await stale.lease.release()).toBe(false);
    expect(await stale.lease.renew()).toBe(false);
    // Then B still holds it
    expect(await b.holder('prod')).toMatchObject({ holder: 'B' });
    if (taken?.ok) expect(await taken.lease.release()).toBe(true);
    expect(await b.holder('prod')).toBeUndefined();
  });

  it('withLock releases after the work, also when it throws', async () => {
    const clock = testClock();
    const locks = createEnvLocks({ store: await kind.open(clock.now), now: clock.now });
    expect(await locks.withLock('prod', 'A', async () => 42)).toEqual({ ok: true, value: 42 });
    await expect(locks.withLock('prod', 'A', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await locks.holder('prod')).toBeUndefined();
  });

  it('withLock refuses while another holds the lock', async () => {
    const clock = testClock();
    const locks = createEnvLocks({ store: await kind.open(clock.now), now: clock.now });
    await locks.acquire('prod', 'A');
    let ran = false;
    expect(await locks.withLock('prod', 'B', async () => (ran = true))).toMatchObject({
      ok: false,
      heldBy: { holder: 'A' },
    });
    expect(ran).toBe(false);
  });
});

describe('environment lock lease in Redis (real time)', () => {
  const [, redisKind] = storeKinds();
  afterEach(() => redisKind!.close());

  it('lease expiry frees the lock of a holder that stopped renewing', async () => {
    // A 2 s lease: long enough that B's first try falls inside it on a loaded machine, short enough to wait for.
    const a = createEnvLocks({ store: await redisKind!.open(Date.now), now: Date.now, leaseMs: 2000 });
    const b = createEnvLocks({ store: await redisKind!.replica(), now: Date.now });
    expect((await a.acquire('prod', 'A')).ok).toBe(true);
    expect((await b.acquire('prod', 'B')).ok).toBe(false);
    await eventually('B to take the lock', async () => (await b.acquire('prod', 'B')).ok, { timeoutMs: 30_000 });
  });

  it('withLock renews the lease while a long action runs, three leases long', async () => {
    // Redis expires the lease in real time. A 1.5 s lease renewed every 100 ms: only a stall of the event
    // loop over 1.4 s (not mere load) loses it, and the action runs three lease lengths.
    const a = createEnvLocks({
      store: await redisKind!.open(Date.now),
      now: Date.now,
      leaseMs: 1500,
      renewEveryMs: 100,
    });
    const b = createEnvLocks({ store: await redisKind!.replica(), now: Date.now });
    const started = Date.now();
    const r = await a.withLock('prod', 'long action', async (signal) => {
      // Without renewal B would get the lock after the first lease length.
      while (Date.now() - started < 4500) {
        expect((await b.acquire('prod', 'B')).ok).toBe(false);
        await new Promise((res) => setTimeout(res, 100));
      }
      return signal.aborted;
    });
    expect(r).toEqual({ ok: true, value: false });
    expect((await b.acquire('prod', 'B')).ok).toBe(true);
  });
});
