import type { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { openSessionStore, type OpenSessionStore } from '../../../src/adapters/redis/redis-store.js';
import { runDiagnosis } from '../../../src/diagnostics/engine.js';
import { evictionPolicyCheck } from '../../../src/diagnostics/checks/eviction-policy.js';
import { memoryCheck } from '../../../src/diagnostics/checks/memory.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { ttlSampleCheck } from '../../../src/diagnostics/checks/ttl-sample.js';
import type { RunOptions } from '../../../src/diagnostics/types.js';
import { startRedisServer } from '../../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { makeContext, runChecked, plantSessions, findingById as byId, findingIds as ids } from '../check-context.js';

let client: Redis;

beforeEach(async () => {
  client?.disconnect();
  client = await resetSharedRedis();
});
afterAll(() => client?.disconnect());

async function run(opts: { expectedTtlSeconds?: number; slidingWindow?: boolean; options?: RunOptions } = {}) {
  return runChecked(ttlSampleCheck, makeContext({ clients: [client], ...opts }));
}
describe('ttl-sample on a healthy store', () => {
  it('raises only the distribution, whose numbers match what was written', async () => {
    // Given 500 sessions SET EX 3600, created evenly over the last 50 minutes, with created_at
    await plantSessions(client, { count: 500, ttlSeconds: 3600, maxAgeSeconds: 3000, createdAt: 'seconds' });
    await client.set('cache:page:1', 'not a session');

    const findings = await run();

    expect(ids(findings)).toEqual(['ttl.distribution']);
    const ev = byId(findings, 'ttl.distribution').evidence as Record<string, any>;
    expect(ev).toMatchObject({ sampled: 500, withTtl: 500, noExpiry: 0, approximate: false, mode: 'sample' });
    expect(ev.minSeconds).toBeGreaterThan(590);
    expect(ev.minSeconds).toBeLessThanOrEqual(606);
    expect(ev.maxSeconds).toBeGreaterThan(3590);
    expect(ev.maxSeconds).toBeLessThanOrEqual(3600);
    expect(Math.abs(ev.p50Seconds - 2100)).toBeLessThan(20);
    expect(ev.buckets.map((b: { label: string }) => b.label)).toEqual([
      '<6m',
      '6m-15m',
      '15m-30m',
      '30m-45m',
      '45m-54m',
      '54m-1h',
      '>1h',
      'no expiry',
    ]);
    expect(ev.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(500);
    expect(ev.buckets[0].count).toBe(0);
    // created_at gives every session the same original TTL.
    expect(ev.originalTtl).toMatchObject({ basis: 'created_at', withBasis: 500, modeSeconds: 3600 });
    expect(ev.originalTtl.clusters).toHaveLength(1);
  });

  it.each(['ms', 'iso', 'hash'] as const)('reads created_at written as %s and stays quiet', async (createdAt) => {
    await plantSessions(client, { count: 200, ttlSeconds: 3600, maxAgeSeconds: 3000, createdAt });
    const findings = await run();
    expect(ids(findings)).toEqual(['ttl.distribution']);
    expect((byId(findings, 'ttl.distribution').evidence.originalTtl as Record<string, unknown>).modeSeconds).toBe(3600);
  });

  it('says so when no key matches the pattern', async () => {
    await client.set('cache:1', 'x');
    const findings = await run();
    expect(ids(findings)).toEqual(['ttl.distribution']);
    expect(findings[0]?.evidence).toMatchObject({ sampled: 0, withTtl: 0, p50Seconds: null });
    expect(findings[0]?.detail).toMatch(/No keys match session:\*/);
  });
});

describe('ttl.no_expiry', () => {
  it('counts sessions written with SET and no EX, with sample keys', async () => {
    await plantSessions(client, { count: 400, ttlSeconds: 3600, maxAgeSeconds: 3000 });
    await plantSessions(client, { count: 20, prefix: '9f3c2a7be01d44c6-' });

    const findings = await run();

    const f = byId(findings, 'ttl.no_expiry');
    expect(f.severity).toBe('warning');
    expect(f.title).toBe('20 of 420 sampled sessions never expire');
    expect(f.evidence).toMatchObject({ noExpiry: 20, sampled: 420 });
    expect(f.evidence.ratio).toBeCloseTo(20 / 420, 3);
    const samples = f.evidence.samples as string[];
    expect(samples).toHaveLength(5);
    // Session ids are credentials: evidence shows only their first characters.
    // Masked after the pattern's prefix: at most a quarter of the id (here 4 of 18 characters).
    expect(samples).toEqual(Array(5).fill('session:9f3c…'));
    expect(f.fix).toMatch(/SETEX/);
    expect(byId(findings, 'ttl.distribution').evidence.noExpiry).toBe(20);
  });
});

describe('ttl.above_configured', () => {
  it('flags sessions whose remaining TTL exceeds the configured TTL', async () => {
    await plantSessions(client, { count: 400, ttlSeconds: 3600, maxAgeSeconds: 3000 });
    await plantSessions(client, { count: 10, prefix: 'week-', ttlSeconds: 604800 });

    const findings = await run();

    const f = byId(findings, 'ttl.above_configured');
    expect(f.severity).toBe('warning');
    expect(f.evidence).toMatchObject({ count: 10, sampled: 410, maxSeconds: 604800 });
    expect(f.title).toMatch(/^10 of 410 sampled sessions have a TTL above the configured 1 h \(up to 7 d\)/);
    // The week-long sessions, masked (`session:week-3` -> `session:w…`); the others would read `session:…`.
    expect(f.evidence.samples).toEqual(Array(5).fill('session:w…'));
    expect(ids(findings)).not.toContain('ttl.effective_below_configured');
  });
});

describe('ttl.effective_below_configured', () => {
  it('estimates the writers TTL from the largest remaining TTLs: 3600 s against 86400 s is critical', async () => {
    // Given opaque values (no timestamps) written with 3600 s in a 24 h environment
    await plantSessions(client, { count: 300, ttlSeconds: 3600, maxAgeSeconds: 3000 });

    const findings = await run({ expectedTtlSeconds: 86400 });

    const f = byId(findings, 'ttl.effective_below_configured');
    expect(f.severity).toBe('critical');
    expect(f.evidence).toMatchObject({
      apparentTtlSeconds: 3600,
      expectedTtlSeconds: 86400,
      highRemainingStatistic: 'p99',
    });
    expect(f.title).toMatch(/~3,600 s \(1 h\)/);
    expect(f.evidence.source).toBe('largest remaining TTL, rounded up');
  });

  it('is a warning when the TTL is short but not under half', async () => {
    await plantSessions(client, { count: 300, ttlSeconds: 2700, maxAgeSeconds: 2000 });
    const f = byId(await run({ expectedTtlSeconds: 3600 }), 'ttl.effective_below_configured');
    expect(f.severity).toBe('warning');
    expect(f.evidence.apparentTtlSeconds).toBe(2700);
  });

  it('prefers the mode of original TTLs from created_at', async () => {
    // Given sessions written with 1200 s, all at least 500 s old: the largest remaining TTL (about
    // 700 s) understates the writers' TTL, created_at does not.
    await plantSessions(client, {
      count: 200,
      ttlSeconds: 700,
      maxAgeSeconds: 400,
      createdAt: 'seconds',
      nowMs: Date.now() - 500_000,
    });

    const f = byId(await run({ expectedTtlSeconds: 3600 }), 'ttl.effective_below_configured');

    expect(f.severity).toBe('critical');
    expect(f.evidence.apparentTtlSeconds).toBe(1200);
    expect(f.evidence.source).toBe('mode of original TTLs from created_at');
    expect(f.evidence.highRemainingSeconds as number).toBeLessThan(720);
  });

  it('is not raised when created_at shows the full TTL and the sessions are merely old', async () => {
    // Sessions were written with 3600 s but nobody logged in for the last 40 minutes.
    await plantSessions(client, {
      count: 200,
      ttlSeconds: 3600 - 2400,
      maxAgeSeconds: 1000,
      createdAt: 'seconds',
      nowMs: Date.now() - 2400_000,
    });
    const findings = await run();
    expect(ids(findings)).toEqual(['ttl.distribution']);
    expect((byId(findings, 'ttl.distribution').evidence.originalTtl as Record<string, unknown>).modeSeconds).toBe(3600);
  });

  it('does not judge with fewer than 20 keys', async () => {
    await plantSessions(client, { count: 10, ttlSeconds: 600 });
    expect(ids(await run())).toEqual(['ttl.distribution']);
  });
});

describe('ttl.inconsistent', () => {
  it('is critical when a group of 30% is written with 1/12 of the TTL (issue 18 item 8)', async () => {
    await plantSessions(client, {
      count: 140,
      prefix: 'a-',
      ttlSeconds: 3600,
      maxAgeSeconds: 1500,
      createdAt: 'seconds',
    });
    await plantSessions(client, { count: 60, prefix: 'b-', ttlSeconds: 300, maxAgeSeconds: 250, createdAt: 'seconds' });

    const f = byId(await run(), 'ttl.inconsistent');

    expect(f.severity).toBe('critical');
    expect(f.evidence.harm).toEqual({ share: 0.3, lifetimeRatio: 0.083, score: 0.275, level: 'critical' });
    expect(f.detail).toMatch(/Critical: 30% of the sessions live 8(\.3)?% of the expected TTL/);
  });

  it('finds two groups of original TTLs across created_at formats', async () => {
    await plantSessions(client, {
      count: 120,
      prefix: 'a-',
      ttlSeconds: 3600,
      maxAgeSeconds: 1500,
      createdAt: 'seconds',
    });
    await plantSessions(client, { count: 50, prefix: 'b-', ttlSeconds: 1800, maxAgeSeconds: 1500, createdAt: 'ms' });
    await plantSessions(client, { count: 30, prefix: 'c-', ttlSeconds: 1800, maxAgeSeconds: 1500, createdAt: 'hash' });

    const findings = await run();

    const f = byId(findings, 'ttl.inconsistent');
    expect(f.severity).toBe('warning');
    const clusters = f.evidence.clusters as { ttlSeconds: number; count: number; share: number }[];
    expect(clusters.map((c) => [c.ttlSeconds, c.count])).toEqual([
      [3600, 120],
      [1800, 80],
    ]);
    expect(f.title).toBe('Sessions are written with 2 different TTLs: 3,600 s (60%), 1,800 s (40%)');
    // The largest TTLs still reach the configured one: not an effective-TTL problem.
    expect(ids(findings)).not.toContain('ttl.effective_below_configured');
  });

  it('ignores a group under 5 % of the sessions', async () => {
    await plantSessions(client, {
      count: 300,
      prefix: 'a-',
      ttlSeconds: 3600,
      maxAgeSeconds: 1500,
      createdAt: 'seconds',
    });
    await plantSessions(client, {
      count: 5,
      prefix: 'b-',
      ttlSeconds: 1800,
      maxAgeSeconds: 1500,
      createdAt: 'seconds',
    });
    expect(ids(await run())).toEqual(['ttl.distribution']);
  });

  it('with the sliding window on and only created_at, does not judge and says why', async () => {
    await plantSessions(client, {
      count: 100,
      prefix: 'a-',
      ttlSeconds: 3600,
      maxAgeSeconds: 1500,
      createdAt: 'seconds',
    });
    await plantSessions(client, {
      count: 100,
      prefix: 'b-',
      ttlSeconds: 1800,
      maxAgeSeconds: 1500,
      createdAt: 'seconds',
    });

    const findings = await run({ slidingWindow: true });

    expect(ids(findings)).not.toContain('ttl.inconsistent');
    const original = byId(findings, 'ttl.distribution').evidence.originalTtl as Record<string, unknown>;
    expect(original.basis).toBeNull();
    expect(original.note).toMatch(/sliding window is on .* only a creation time/);
  });

  it('with the sliding window on, uses last_accessed_at', async () => {
    await plantSessions(client, {
      count: 100,
      prefix: 'a-',
      ttlSeconds: 3600,
      maxAgeSeconds: 1500,
      createdAt: 'seconds',
      lastAccess: true,
    });
    await plantSessions(client, {
      count: 100,
      prefix: 'b-',
      ttlSeconds: 1800,
      maxAgeSeconds: 1500,
      createdAt: 'seconds',
      lastAccess: true,
    });

    const f = byId(await run({ slidingWindow: true }), 'ttl.inconsistent');

    expect(f.evidence.basis).toBe('last_access');
    expect((f.evidence.clusters as { ttlSeconds: number }[]).map((c) => c.ttlSeconds).sort()).toEqual([1800, 3600]);
  });
});

describe('sampling and the full audit', () => {
  beforeEach(async () => {
    // 5,000 sessions: 4,000 healthy, 1,000 without TTL, all under one pattern.
    await plantSessions(client, { count: 4000, ttlSeconds: 3600, maxAgeSeconds: 3000, createdAt: 'seconds' });
    await plantSessions(client, { count: 1000, prefix: 'noexp-' });
  });

  it('samples sampleSize keys by default and every key with full, and both agree', async () => {
    const progress: [number, number | undefined][] = [];
    const full = await run({ options: { full: true, sampleSize: 1000, onProgress: (s, t) => progress.push([s, t]) } });
    const sample = await run({ options: { sampleSize: 1000 } });

    const fullEv = byId(full, 'ttl.distribution').evidence as Record<string, any>;
    const sampleEv = byId(sample, 'ttl.distribution').evidence as Record<string, any>;
    expect(fullEv).toMatchObject({ mode: 'full', sampled: 5000, withTtl: 4000, noExpiry: 1000 });
    expect(sampleEv).toMatchObject({ mode: 'sample', sampled: 1000 });
    // The sample's share of keys without TTL and its median agree with the full count.
    expect(Math.abs(sampleEv.noExpiry / 1000 - 0.2)).toBeLessThan(0.06);
    expect(Math.abs(sampleEv.p50Seconds - fullEv.p50Seconds)).toBeLessThan(300);
    expect(byId(full, 'ttl.no_expiry').title).toBe('1,000 of 5,000 sessions never expire');
    // Values are read for at most sampleSize keys, also in a full audit.
    expect(fullEv.originalTtl.valuesRead).toBeLessThanOrEqual(1000);
    expect(fullEv.originalTtl.valuesRead).toBeGreaterThan(0);
    // Progress reports every batch, growing to the total from INFO keyspace.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual([5000, 5000]);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThan(progress[i - 1]![0]);
  });

  it('honours a small sample size', async () => {
    const ev = byId(await run({ options: { sampleSize: 50 } }), 'ttl.distribution').evidence;
    expect(ev.sampled).toBe(50);
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const findings = await runChecked(
      ttlSampleCheck,
      makeContext({ clients: [client], options: { full: true }, signal: controller.signal }),
    );
    expect(byId(findings, 'ttl.distribution').evidence.sampled).toBe(0);
  });
});

describe('through the engine', () => {
  const registry = createCheckRegistry([ttlSampleCheck, memoryCheck, evictionPolicyCheck]);
  const configFor = (url: string) =>
    parseConfig(
      { environments: { dev: { profile: 'development', redis: { url } } }, defaults: { rateWindowMs: 0 } },
      'test',
    );

  it('runs the three Redis checks on a healthy store', async () => {
    await client.config('SET', 'maxmemory', '1gb');
    await client.config('SET', 'maxmemory-policy', 'volatile-lru');
    await plantSessions(client, { count: 300, ttlSeconds: 3600, maxAgeSeconds: 3000, createdAt: 'seconds' });
    const store = openSessionStore(configFor(sharedRedisUrl()).environments.dev!, {});
    try {
      const report = await runDiagnosis(
        { config: configFor(sharedRedisUrl()), registry, sourcesFor: () => ({ redis: store }) },
        { envName: 'dev' },
      );
      expect(report.checks.map((c) => [c.id, c.status])).toEqual([
        ['ttl-sample', 'findings'],
        ['memory', 'ok'],
        ['eviction-policy', 'ok'],
      ]);
      expect(report.findings.map((f) => `${f.check}:${f.id}:${f.severity}`)).toEqual([
        'ttl-sample:ttl.distribution:info',
      ]);
    } finally {
      await store.close();
    }
  });

  it('turns a Redis that is down into status error and one redis.unreachable', async () => {
    const server = await startRedisServer();
    await server.stop();
    const config = configFor(server.url);
    let store: OpenSessionStore | undefined;
    try {
      const report = await runDiagnosis(
        { config, registry, sourcesFor: (env) => ({ redis: (store = openSessionStore(env, {})) }) },
        { envName: 'dev' },
      );
      expect(report.checks.map((c) => c.status)).toEqual(['error', 'error', 'error']);
      for (const c of report.checks) expect(c.message).toMatch(/unreachable/);
      expect(report.findings.map((f) => [f.id, f.severity])).toEqual([['redis.unreachable', 'critical']]);
    } finally {
      await store?.close();
    }
  });
});
