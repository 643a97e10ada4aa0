import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseInfo } from '../../../src/adapters/redis/redis-node.js';
import { scriptAudit, twoCursorsFit } from '../../../src/adapters/redis/script-audit.js';
import type { KeyspaceAuditRequest, TtlBatchCounts } from '../../../src/core/ports/session-store.js';
import { TtlStats } from '../../../src/diagnostics/sampling/ttl-stats.js';
import { resetSharedRedis } from '../../support/shared-redis.js';

// Issue 20: a fast audit of a standalone Redis runs two cursors on one connection (the even buckets
// from 0, the rest from 1), so the server works on one chain's batch while the bot reads the other's.
// Every key must still be counted exactly once, whatever the table's size and the batch size.

let client: Redis;
beforeEach(async () => {
  client = await resetSharedRedis();
});
afterEach(() => client.disconnect());

const layout = new TtlStats({ expectedTtlSeconds: 3600, aboveToleranceSeconds: 36 }).layout(3_636_000);

/** Audits the store; returns the keys counted (each batch's `scanned`), with and without a TTL. */
async function audit(halves: boolean, count: number) {
  const seen = { scanned: 0, withTtl: 0, noExpiry: 0, calls: [] as string[] };
  const req: KeyspaceAuditRequest = {
    pattern: 'session:*',
    count,
    layout,
    wantKeys: () => ({ noExpiry: 0, above: 0 }),
    onKey: () => undefined,
    onCounts: (c: TtlBatchCounts) => {
      seen.scanned += c.scanned;
      seen.withTtl += c.withTtl;
      seen.noExpiry += c.noExpiry;
    },
    signal: new AbortController().signal,
  };
  const batches = await scriptAudit(client, req, halves);
  return { ...seen, batches };
}

async function seed(sessions: number) {
  const p = client.pipeline();
  // Every third session without a TTL, and as many keys the pattern does not match.
  for (let i = 0; i < sessions; i++) {
    if (i % 3 === 0) p.set(`session:${i}`, 'v');
    else p.set(`session:${i}`, 'v', 'EX', 3600);
    p.set(`other:${i}`, 'v');
  }
  await p.exec();
}

describe('two cursors over one keyspace', () => {
  // Sizes around the hash table's powers of two (4 buckets and up), and one SCAN that covers everything.
  it.each([0, 1, 2, 3, 5, 8, 17, 100, 4097])('counts each of %i sessions once, whatever the batch size', async (n) => {
    await seed(n);
    const withTtl = n - Math.ceil(n / 3);
    for (const count of [1, 10, 1000]) {
      const r = await audit(true, count);
      expect({ n, count, scanned: r.scanned, withTtl: r.withTtl }).toEqual({ n, count, scanned: n, withTtl });
    }
  });

  it('agrees with one cursor on 20,000 sessions and needs about as many batches', async () => {
    await seed(20_000);
    const one = await audit(false, 500);
    const two = await audit(true, 500);
    expect(two.scanned).toBe(20_000);
    expect(two).toMatchObject({ scanned: one.scanned, withTtl: one.withTtl, noExpiry: one.noExpiry });
    // The even half's last batch is done again in steps of COUNT 1 (at most 200 a call): a few calls more.
    expect(two.batches).toBeGreaterThanOrEqual(one.batches);
    expect(two.batches).toBeLessThan(one.batches + 12);
  });
});

describe('where two cursors are used', () => {
  it('a standalone Redis: yes (read from this server)', async () => {
    expect(twoCursorsFit(parseInfo(await client.info('server')))).toBe(true);
  });

  it.each([
    ['a cluster node (Redis 7.4+ puts the slot in the cursor)', { redis_mode: 'cluster', redis_version: '7.4.1' }],
    ['a Sentinel', { redis_mode: 'sentinel', redis_version: '7.0.15' }],
    ['Valkey', { redis_mode: 'standalone', redis_version: '7.2.4', valkey_version: '8.1.0', server_name: 'valkey' }],
    ['Dragonfly', { redis_mode: 'standalone', redis_version: '7.2.0', dragonfly_version: 'df-v1.20.0' }],
    ['a server that does not say its mode', { redis_version: '7.0.15' }],
  ])('%s: no', (_, server) => {
    expect(twoCursorsFit(server)).toBe(false);
  });
});
