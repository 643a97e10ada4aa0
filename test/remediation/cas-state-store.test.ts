import { afterEach, describe, expect, it } from 'vitest';
import { type Redis } from 'ioredis';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { resetSharedRedis } from '../support/shared-redis.js';
import { storeKinds, testClock } from './state-stores.js';

describe.each(storeKinds())('compare-and-set in the $name state store', (kind) => {
  afterEach(() => kind.close());

  it('writes and deletes only over the expected value, and never creates a missing key', async () => {
    const clock = testClock();
    const store = await kind.open(clock.now);
    expect(await store.compareAndSet('k', 'a', 'b', 60_000)).toBe(false);
    expect(await store.get('k')).toBeUndefined();
    await store.set('k', 'a', 60_000);
    expect(await store.compareAndSet('k', 'x', 'b', 60_000)).toBe(false);
    expect(await store.compareAndSet('k', 'a', 'b', 60_000)).toBe(true);
    expect(await store.get('k')).toBe('b');
    expect(await store.compareAndDelete('k', 'a')).toBe(false);
    expect(await store.compareAndDelete('k', 'b')).toBe(true);
    expect(await store.get('k')).toBeUndefined();
  });
});

describe('compare-and-set in Redis', () => {
  let client: Redis | undefined;
  afterEach(async () => client?.quit());

  it('sets the new expiry on the namespaced key', async () => {
    client = await resetSharedRedis();
    const store = redisStateStore(client);
    await store.set('k', 'a', 1_000);
    await store.compareAndSet('k', 'a', 'b', 600_000);
    const pttl = await client.pttl('session-ttl-bot:k');
    expect(pttl).toBeGreaterThan(500_000);
    expect(pttl).toBeLessThanOrEqual(600_000);
  });
});
