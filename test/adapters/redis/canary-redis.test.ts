import { type Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canaryRedisFrom } from '../../../src/adapters/redis/canary-redis.js';
import { connectRedis, type RedisConnectOptions } from '../../../src/adapters/redis/redis-node.js';
import type { CanaryRedis } from '../../../src/core/ports/canary-redis.js';
import { freePort } from '../../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { redisError } from './expect-redis-error.js';

// The ioredis adapter behind verify's CanaryRedis port, against the shared real redis-server.
// Each test removes the ACL users it adds, since other test files share the server.
let admin: Redis;
const opened: Redis[] = [];

beforeAll(async () => {
  admin = await resetSharedRedis();
});
afterEach(async () => {
  for (const c of opened.splice(0)) c.disconnect();
  await admin.del('session:canary-adapter-test');
  for (const user of await admin.acl('USERS')) if (user !== 'default') await admin.acl('DELUSER', user);
});
afterAll(() => {
  admin.disconnect();
});

/** What the deletion-counters check reads: DEL and UNLINK calls, and expired keys. */
async function deletionCounters(): Promise<{ del: number; unlink: number; expired: number }> {
  const stats = await admin.info('commandstats');
  const calls = (cmd: string) => Number(new RegExp(`^cmdstat_${cmd}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
  const expired = Number(/^expired_keys:(\d+)/m.exec(await admin.info('stats'))![1]);
  return { del: calls('del'), unlink: calls('unlink'), expired };
}

function canaryAt(options: Partial<RedisConnectOptions> & { url?: string }): CanaryRedis {
  const client = connectRedis({ url: sharedRedisUrl(), connectTimeoutMs: 1000, ...options });
  opened.push(client);
  return canaryRedisFrom(client, new URL(options.url ?? sharedRedisUrl()).host);
}

describe('canaryRedisFrom (ioredis adapter of the CanaryRedis port)', () => {
  const key = 'session:canary-adapter-test';

  it('writes the canary with its TTL, reads PTTL, and removes it', async () => {
    const canary = canaryAt({});

    await canary.setEx(key, '{"canary":true}', 120);

    expect(await admin.get(key)).toBe('{"canary":true}');
    const pttl = await canary.pttl(key);
    expect(pttl).toBeGreaterThan(119_000);
    expect(pttl).toBeLessThanOrEqual(120_000);
    expect(await canary.exists(key)).toBe(true);
    await canary.remove(key);
    expect(await canary.exists(key)).toBe(false);
    expect(await canary.pttl(key)).toBe(-2);
    // A number (other test files share the server, so not necessarily 0).
    expect(await canary.evictedKeys()).toBeGreaterThanOrEqual(0);
  });

  it("removes the canary without a DEL call or an expired key, so a diagnosis counts only the app's deletes", async () => {
    const canary = canaryAt({});
    await canary.setEx(key, 'x', 120);
    const before = await deletionCounters();

    await canary.remove(key);

    expect(await admin.exists(key)).toBe(0);
    expect(await deletionCounters()).toEqual(before);
  });

  it('falls back to DEL where the ACL was written for DEL and refuses PEXPIREAT', async () => {
    await admin.acl('SETUSER', 'canary-del', 'on', '>pw', '~session:*', '+set', '+pttl', '+del', '+exists');
    const canary = canaryAt({ username: 'canary-del', password: 'pw' });
    await canary.setEx(key, 'x', 120);
    const before = await deletionCounters();

    await canary.remove(key);

    expect(await admin.exists(key)).toBe(0);
    expect((await deletionCounters()).del).toBe(before.del + 1);
  });

  it('reports evicted_keys as unknown when INFO is refused, while the canary commands still work', async () => {
    await admin.acl('SETUSER', 'canary-only', 'on', '>pw', '~session:*', '+set', '+pttl', '+del', '+exists', '-info');
    const canary = canaryAt({ username: 'canary-only', password: 'pw' });

    await canary.setEx(key, 'x', 60);

    expect(await canary.evictedKeys()).toBeUndefined();
    expect(await canary.exists(key)).toBe(true);
  });

  it('turns a refused connection into an unreachable RedisSourceError naming the command', async () => {
    const port = await freePort();
    const canary = canaryAt({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 });

    const err = await redisError(canary.setEx(key, 'x', 60));

    expect(err).toMatchObject({ kind: 'unreachable', command: 'SET', address: `127.0.0.1:${port}` });
  });
});
