import type { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { IoRedisNode } from '../../../src/adapters/redis/redis-node.js';
import { resetSharedRedis } from '../../support/shared-redis.js';

// Issue 9 item 13 at the adapter: SCAN yields key names as bytes, and PTTL/GET take them back unchanged.

let client: Redis;
beforeEach(async () => {
  client?.disconnect();
  client = await resetSharedRedis();
});
afterAll(() => client?.disconnect());

describe('IoRedisNode with binary key names', () => {
  it('scan yields Buffers that pttl and readValues resolve to the same keys', async () => {
    const binary = Buffer.from([0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x3a, 0xff, 0xfe]);
    await client.set(binary, '{"created_at": 1}');
    await client.set('session:plain', '{}', 'EX', 100);
    const node = new IoRedisNode(client);

    const keys: Buffer[] = [];
    for await (const batch of node.scan('session:*', 100)) keys.push(...batch);

    expect(keys.every((k) => Buffer.isBuffer(k))).toBe(true);
    const byHex = new Map(keys.map((k) => [k.toString('hex'), k]));
    expect([...byHex.keys()].sort()).toEqual(
      [binary.toString('hex'), Buffer.from('session:plain').toString('hex')].sort(),
    );
    const bin = byHex.get(binary.toString('hex')) as Buffer;
    const [p1, p2] = await node.pttl([bin, 'session:plain']);
    expect(p1).toBe(-1);
    expect(p2).toBeGreaterThan(90_000);
    expect(await node.readValues([bin])).toEqual(['{"created_at": 1}']);
    // The old path: the key decoded as UTF-8 names another key, which does not exist.
    expect(await node.pttl([bin.toString('utf8')])).toEqual([-2]);
  });
});
