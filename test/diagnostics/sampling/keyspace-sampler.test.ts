import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { IoRedisNode } from '../../../src/adapters/redis/redis-node.js';
import { readCommandCalls } from '../../../src/diagnostics/redis-info/commandstats.js';
import { createKeyspaceSampler, splitBudget } from '../../../src/diagnostics/sampling/keyspace-sampler.js';
import type { RedisNodePort } from '../../../src/core/ports/session-store.js';
import { sharedRedisUrl } from '../../support/shared-redis.js';
import {
  clusterOf,
  diagnose,
  problems,
  seedSessions,
  testConfig,
  useHealthyEnvironment,
} from '../healthy-environment.js';
import { allChecks } from '../../../src/diagnostics/all-checks.js';

const env = useHealthyEnvironment();
const extra: Redis[] = [];
afterEach(() => {
  for (const c of extra.splice(0)) c.disconnect();
});

/** Another client of the shared server on database `db`: a second "node" with its own keyspace. */
function nodeOnDb(db: number): { client: Redis; node: RedisNodePort } {
  const client = new Redis(`${sharedRedisUrl()}/${db}`);
  extra.push(client);
  return { client, node: new IoRedisNode(client) };
}

const scanCalls = async (node: RedisNodePort) => (await readCommandCalls([node])).scan ?? 0;

const samplerOn = (
  nodes: readonly RedisNodePort[],
  opts: { sampleSize?: number; full?: boolean; onProgress?: (s: number, t: number | undefined) => void } = {},
) =>
  createKeyspaceSampler({
    nodes,
    keyPattern: 'session:*',
    expectedTtlSeconds: 3600,
    ...opts,
    now: Date.now,
    signal: new AbortController().signal,
  });

describe('splitBudget', () => {
  it('splits the sample size evenly, the remainder to the first nodes', () => {
    expect(splitBudget(1000, 1)).toEqual([1000]);
    expect(splitBudget(100, 3)).toEqual([34, 33, 33]);
    expect(splitBudget(2, 3)).toEqual([1, 1, 0]);
  });
});

describe('keyspace sampler', () => {
  it('one diagnosis running ttl-sample, hardcoded-ttl and write-pattern scans the keyspace once', async () => {
    // Given sessions written with a hard-coded 600 s TTL (so hardcoded-ttl must read the sample to see it)
    await seedSessions(env.client, { count: 1500, ttlSeconds: 600 });
    const node = new IoRedisNode(env.client);
    const checks = (ids: string[]) => allChecks.filter((c) => ids.includes(c.id));

    // When one diagnosis runs ttl-sample alone, and another runs the three sampling checks
    const before = await scanCalls(node);
    await diagnose({
      config: testConfig(),
      client: env.client,
      cluster: clusterOf(env.kube),
      checks: checks(['ttl-sample']),
    });
    const alone = (await scanCalls(node)) - before;
    const report = await diagnose({
      config: testConfig(),
      client: env.client,
      cluster: clusterOf(env.kube),
      checks: checks(['ttl-sample', 'hardcoded-ttl', 'write-pattern']),
    });
    const together = (await scanCalls(node)) - before - alone;

    // Then the three share one pass: as many SCAN calls as ttl-sample alone, and each check used the sample
    expect(alone).toBeGreaterThan(0);
    expect(together).toBe(alone);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['ttl-sample', 'findings'],
      ['write-pattern', 'ok'],
      ['hardcoded-ttl', 'findings'],
    ]);
    expect(problems(report)).toContain('config.hardcoded_ttl_suspected');
  });

  it('shares one scan between callers', async () => {
    await seedSessions(env.client, { count: 50 });
    const node = new IoRedisNode(env.client);
    const sampler = samplerOn([node]);
    const before = await scanCalls(node);
    const [a, b] = await Promise.all([sampler.sample(), sampler.sample()]);
    expect(a).toBe(b);
    expect(await sampler.sample()).toBe(a);
    expect((await scanCalls(node)) - before).toBe(1);
  });

  it('gives each node its share of the sample size, however fast it answers', async () => {
    // Given two nodes with 400 sessions each, and a third with only 10
    const nodes = [nodeOnDb(1), nodeOnDb(2), nodeOnDb(3)];
    await seedSessions(nodes[0]!.client, { count: 400 });
    await seedSessions(nodes[1]!.client, { count: 400 });
    await seedSessions(nodes[2]!.client, { count: 10 });

    // When 90 keys are sampled
    const sample = await samplerOn(
      nodes.map((n) => n.node),
      { sampleSize: 90 },
    ).sample();

    // Then each node gives at most its 30: a small node leaves its share unused rather than bias the rest
    const perNode = [0, 1, 2].map((i) => sample.keys.filter((k) => k.node === i).length);
    expect(sample.budgets).toEqual([30, 30, 30]);
    expect(perNode).toEqual([30, 30, 10]);
    expect(sample.stats.summary().sampled).toBe(70);
    // Values are read for the kept keys with a TTL (seedSessions writes created_at).
    expect(sample.keys.every((k) => k.value?.createdAt !== undefined && k.readAtMs !== undefined)).toBe(true);
  });

  it('streams every key through the statistics in a full audit, keeping only the budget', async () => {
    await seedSessions(env.client, { count: 2500 });
    await env.client.set('session:forever', 'x');
    const progress: [number, number | undefined][] = [];
    const sample = await samplerOn([new IoRedisNode(env.client)], {
      sampleSize: 100,
      full: true,
      onProgress: (s, t) => progress.push([s, t]),
    }).sample();
    expect(sample.mode).toBe('full');
    expect(sample.stats.summary()).toMatchObject({ sampled: 2501, noExpiry: 1 });
    expect(sample.noExpiryKeys).toEqual(['session:f…']);
    expect(sample.keys).toHaveLength(100);
    expect(progress.at(-1)).toEqual([2501, 2501]);
    expect(progress.length).toBeGreaterThan(1);
  });
});
