import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCooldownStore } from '../../../src/alerts/cooldown-store.js';
import { createDeliveryDedupe } from '../../../src/alerts/delivery-dedupe.js';
import { memoryStateStore } from '../../../src/adapters/state/memory-state-store.js';
import { redisStateStore } from '../../../src/adapters/state/redis-state-store.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';

describe('alert delivery dedupe and cooldowns over the real Redis', () => {
  let admin: Redis;
  const replicas: Redis[] = [];

  beforeAll(async () => {
    admin = await resetSharedRedis();
    // Two replicas of the bot: separate connections to one state Redis.
    replicas.push(new Redis(sharedRedisUrl()), new Redis(sharedRedisUrl()));
  });
  afterAll(() => {
    for (const r of [admin, ...replicas]) r?.disconnect();
  });
  beforeEach(async () => {
    await admin.flushall();
  });

  it('answers a delivery once: a retry (same event id) and the same message under a new event id are duplicates', async () => {
    const dedupe = createDeliveryDedupe({ store: redisStateStore(replicas[0]!) });
    expect(await dedupe.check({ eventId: 'Ev1', channel: 'C1', ts: '1718031234.000200' })).toEqual({ first: true });
    expect(await dedupe.check({ eventId: 'Ev1', channel: 'C1', ts: '1718031234.000200' })).toEqual({
      first: false,
      duplicateOf: 'event',
    });
    expect(await dedupe.check({ eventId: 'Ev2', channel: 'C1', ts: '1718031234.000200' })).toEqual({
      first: false,
      duplicateOf: 'message',
    });
    // Another message in the same channel, and the same ts in another channel, are new.
    expect(await dedupe.check({ eventId: 'Ev3', channel: 'C1', ts: '1718031234.000300' })).toEqual({ first: true });
    expect(await dedupe.check({ eventId: 'Ev4', channel: 'C2', ts: '1718031234.000200' })).toEqual({ first: true });
  });

  it('shares the dedupe between replicas: of many racing deliveries exactly one is first', async () => {
    const a = createDeliveryDedupe({ store: redisStateStore(replicas[0]!) });
    const b = createDeliveryDedupe({ store: redisStateStore(replicas[1]!) });
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).check({ eventId: i < 10 ? 'EvSame' : `Ev${i}`, channel: 'C1', ts: '1718031234.000200' }),
      ),
    );
    expect(verdicts.filter((v) => v.first)).toHaveLength(1);
  });

  it('writes only namespaced keys with an expiry and never touches session:* keys', async () => {
    await admin.set('session:abc', '{}', 'EX', 3600);
    const store = redisStateStore(replicas[0]!);
    await createDeliveryDedupe({ store, ttlMs: 60_000 }).check({ eventId: 'Ev1', channel: 'C1', ts: '1.000001' });
    const cooldowns = createCooldownStore({ store, cooldownMs: 15 * 60_000 });
    await cooldowns.claim('SessionTTLViolations', 'prod', {
      thread: { channel: 'C1', ts: '1.000001' },
      at: Date.now(),
    });
    await cooldowns.saveIncident('SessionTTLViolations', 'prod', {
      firedAt: 1,
      thread: { channel: 'C1', ts: '1.000001' },
    });

    const keys = (await admin.keys('*')).sort();
    expect(keys).toEqual([
      'session-ttl-bot:cooldown:sessionttlviolations:prod',
      'session-ttl-bot:dedupe:event:Ev1',
      'session-ttl-bot:dedupe:message:C1:1.000001',
      'session-ttl-bot:incident:sessionttlviolations:prod',
      'session:abc',
    ]);
    for (const k of keys) expect(await admin.pttl(k)).toBeGreaterThan(0);
    expect(await admin.pttl('session-ttl-bot:cooldown:sessionttlviolations:prod')).toBeLessThanOrEqual(15 * 60_000);
    expect(await admin.get('session:abc')).toBe('{}');
  });

  it('claims a cooldown once per alert + environment; the loser reads the earlier diagnosis; release lets the next one run', async () => {
    const a = createCooldownStore({ store: redisStateStore(replicas[0]!), cooldownMs: 60_000 });
    const b = createCooldownStore({ store: redisStateStore(replicas[1]!), cooldownMs: 60_000 });
    const first = { thread: { channel: 'C1', ts: '1718031234.000200' }, at: Date.now() };
    expect(await a.claim('SessionTTLViolations', 'prod', first)).toEqual({ claimed: true });
    expect(await b.claim('SessionTTLViolations', 'prod', { ...first, at: first.at + 5 })).toEqual({
      claimed: false,
      record: first,
    });
    // Another environment and another alert have their own cooldowns.
    expect(await b.claim('SessionTTLViolations', 'dev', first)).toEqual({ claimed: true });
    expect(await b.claim('RedisHighMemoryUsage', 'prod', first)).toEqual({ claimed: true });

    await a.complete('SessionTTLViolations', 'prod', {
      ...first,
      diagnosis: { channel: 'C1', ts: '1718031240.000100' },
    });
    expect(await b.claim('SessionTTLViolations', 'prod', first)).toMatchObject({
      claimed: false,
      record: { diagnosis: { ts: '1718031240.000100' } },
    });
    await b.release('SessionTTLViolations', 'prod');
    expect(await a.claim('SessionTTLViolations', 'prod', first)).toEqual({ claimed: true });
  });

  it('closes an incident on one replica only, and treats an unreadable record as absent', async () => {
    const a = createCooldownStore({ store: redisStateStore(replicas[0]!), cooldownMs: 60_000 });
    const b = createCooldownStore({ store: redisStateStore(replicas[1]!), cooldownMs: 60_000 });
    await a.saveIncident('SessionTTLViolations', 'prod', { firedAt: 1000, thread: { channel: 'C1', ts: '1.000001' } });
    const [x, y] = await Promise.all([
      a.closeIncident('SessionTTLViolations', 'prod'),
      b.closeIncident('SessionTTLViolations', 'prod'),
    ]);
    expect([x, y].filter(Boolean)).toEqual([{ firedAt: 1000, thread: { channel: 'C1', ts: '1.000001' } }]);

    await admin.set('session-ttl-bot:incident:sessionttlviolations:prod', '{"firedAt":"yesterday"}', 'EX', 60);
    expect(await a.incident('SessionTTLViolations', 'prod')).toBeUndefined();
    await admin.set('session-ttl-bot:incident:sessionttlviolations:prod', 'not json', 'EX', 60);
    expect(await a.closeIncident('SessionTTLViolations', 'prod')).toBeUndefined();
  });
});

describe('the in-memory state store (no STATE_REDIS_URL)', () => {
  it('expires entries by the injected clock and is not shared', async () => {
    let t = 1_000;
    const store = memoryStateStore({ now: () => t });
    expect(store.shared).toBe(false);
    expect(await store.claim('k', 'v1', 100)).toBe(true);
    expect(await store.claim('k', 'v2', 100)).toBe(false);
    expect(await store.get('k')).toBe('v1');
    t += 100;
    expect(await store.get('k')).toBeUndefined();
    expect(await store.claim('k', 'v3', 100)).toBe(true);
    expect(await store.take('k')).toBe('v3');
    expect(await store.take('k')).toBeUndefined();
  });

  it('stays bounded: past maxEntries the oldest entries go', async () => {
    const store = memoryStateStore({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c', 'd']) await store.set(k, k, 60_000);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('d')).toBe('d');
  });

  it('dedupes deliveries like the Redis store', async () => {
    const dedupe = createDeliveryDedupe({ store: memoryStateStore() });
    expect((await dedupe.check({ eventId: 'E', channel: 'C', ts: '1.1' })).first).toBe(true);
    expect((await dedupe.check({ eventId: 'E', channel: 'C', ts: '1.1' })).first).toBe(false);
    expect((await dedupe.check({ eventId: 'F', channel: 'C', ts: '1.1' })).first).toBe(false);
  });
});
