import type { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { IoRedisNode } from '../../../src/adapters/redis/redis-node.js';
import { createKeyspaceSampler } from '../../../src/diagnostics/sampling/keyspace-sampler.js';
import { keyText } from '../../../src/diagnostics/sampling/key-text.js';
import { resetSharedRedis } from '../../support/shared-redis.js';

// Issue 9 item 13: keys whose names are not UTF-8 were counted as vanished (PTTL -2 on the decoded,
// different name) instead of as keys without expiry.

let client: Redis;
beforeEach(async () => {
  client = await resetSharedRedis();
});
afterAll(() => client.disconnect());

const session = (...tail: number[]) => Buffer.concat([Buffer.from('session:'), Buffer.from(tail)]);

describe('binary key names', () => {
  it('are each counted once, with their own TTL: without expiry, with a TTL, never vanished', async () => {
    // Given: 3 binary keys without expiry, 2 binary keys with a 600 s TTL and 10 text sessions with 3600 s
    const noTtl = [session(0xff, 0xfe), session(0x80, 0x81, 0x82), session(0xc3, 0x28)];
    const withTtl = [session(0xfe, 0x01), session(0xed, 0xa0, 0x80)];
    for (const k of noTtl) await client.set(k, '{}');
    for (const k of withTtl) await client.set(k, '{}', 'EX', 600);
    for (let i = 0; i < 10; i++) await client.set(`session:text${i}`, '{}', 'EX', 3600);

    // When: the diagnosis's sampler reads the store, in a sample and in a full audit
    for (const full of [false, true]) {
      const sample = await createKeyspaceSampler({
        nodes: [new IoRedisNode(client)],
        keyPattern: 'session:*',
        expectedTtlSeconds: 3600,
        full,
        now: Date.now,
        signal: new AbortController().signal,
      }).sample();

      // Then: every key counted exactly once, the binary ones as no-expiry or with their 600 s TTL
      const s = sample.stats.summary();
      expect(s).toMatchObject({ sampled: 15, withTtl: 12, noExpiry: 3, vanished: 0 });
      expect(s.minSeconds).toBeGreaterThan(590);
      expect(
        sample.keys
          .filter((k) => k.pttlMs === -1)
          .map((k) => k.key.toString('hex'))
          .sort(),
      ).toEqual(noTtl.map((k) => k.toString('hex')).sort());
      // Evidence shows a binary key the way redis-cli does (\xHH), masked like any session id: no raw bytes.
      expect(sample.noExpiryKeys).toHaveLength(3);
      for (const k of sample.noExpiryKeys) expect(k).toMatch(/^session:(\\x[0-9a-f]{0,2}|\\)?…$/);
    }
  });

  it('keyText shows valid UTF-8 as text and other bytes as \\xHH', () => {
    expect(keyText(Buffer.from('session:é1'))).toBe('session:é1');
    expect(keyText(session(0xff, 0x41, 0x5c))).toBe('session:\\xffA\\x5c');
  });
});
