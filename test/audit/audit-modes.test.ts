import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IoRedisNode, parseInfo } from '../../src/adapters/redis/redis-node.js';
import { DIAGNOSIS_DEFAULTS } from '../../src/config/diagnosis-defaults.js';
import type { RedisNodePort } from '../../src/core/ports/session-store.js';
import { auditPlanFor, type AuditPlan } from '../../src/diagnostics/sampling/audit-plan.js';
import { bucketEdges } from '../../src/diagnostics/sampling/ttl-stats.js';
import {
  createKeyspaceSampler,
  keyspaceSamplerFor,
  type KeyspaceSample,
} from '../../src/diagnostics/sampling/keyspace-sampler.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

// Issue 12 target 1: every audit path counts every key exactly once (keys with a TTL, without one,
// binary names, keys above the configured TTL), the fast path keeps the first `budget` keys with their
// values, and the gentle path keeps its pacing and its calls short.

let client: Redis;
const extra: Redis[] = [];
beforeEach(async () => {
  client = await resetSharedRedis();
});
afterEach(() => {
  for (const c of extra.splice(0)) c.disconnect();
  client.disconnect();
});

const bin = (...tail: number[]) => Buffer.concat([Buffer.from('session:'), Buffer.from(tail)]);
const value = JSON.stringify({ created_at: new Date(Date.now() - 60_000).toISOString() });

// The paths run one after another while the TTLs decay: no TTL starts within two minutes above a bucket
// edge (it would cross into the next bucket between two paths on a slow machine), and the bounds checked
// below keep a margin of 100 s or more.
const edges = bucketEdges(3600, 0).map((b) => b.upTo);
const clearOfEdges = (ttl: number) => (edges.some((e) => ttl >= e && ttl < e + 120) ? ttl - 120 : ttl);

/** The store every path is checked against; `expected` is what it holds, counted by construction. */
async function seed(c: Redis) {
  const p = c.pipeline();
  for (let i = 0; i < 300; i++) p.set(`session:t${i}`, value, 'EX', clearOfEdges(1000 + i * 8));
  for (let i = 0; i < 20; i++) p.set(`session:n${i}`, value);
  for (let i = 0; i < 7; i++) p.set(`session:long${i}`, value, 'EX', 7300 + i);
  for (const k of [bin(0xff, 0xfe), bin(0x80, 0x81)]) p.set(k, value);
  for (const k of [bin(0xfe, 0x01), bin(0xed, 0xa0, 0x80), bin(0xc3, 0x28)]) p.set(k, value, 'EX', 700);
  for (let i = 0; i < 50; i++) p.set(`other:${i}`, value);
  await p.exec();
  return { total: 332, withTtl: 310, noExpiry: 22, above: 7 };
}

function sampler(
  node: RedisNodePort,
  audit: AuditPlan | undefined,
  extraOpts: { sampleSize?: number; sleep?: (ms: number) => Promise<void> } = {},
) {
  return createKeyspaceSampler({
    nodes: [node],
    keyPattern: 'session:*',
    expectedTtlSeconds: 3600,
    full: true,
    ...(audit ? { audit } : {}),
    sampleSize: 40,
    ...extraOpts,
    now: Date.now,
    signal: new AbortController().signal,
  });
}

const gentle = (over: Partial<AuditPlan> = {}): AuditPlan => ({
  mode: 'gentle',
  scanCount: 16,
  pauseMs: 0,
  script: true,
  ...over,
});
const fast = (over: Partial<AuditPlan> = {}): AuditPlan => ({
  mode: 'fast',
  scanCount: 16,
  pauseMs: 0,
  script: true,
  ...over,
});

function expectEveryKeyOnce(sample: KeyspaceSample, expected: Awaited<ReturnType<typeof seed>>) {
  const s = sample.stats.summary();
  expect(s).toMatchObject({
    sampled: expected.total,
    withTtl: expected.withTtl,
    noExpiry: expected.noExpiry,
    vanished: 0,
  });
  // The buckets partition the keys: each counted in exactly one.
  expect(s.buckets.reduce((n, b) => n + b.count, 0)).toBe(expected.total);
  expect(s.minSeconds).toBeGreaterThan(590);
  expect(s.maxSeconds).toBeGreaterThan(7200);
  expect(sample.above.count).toBe(expected.above);
  expect(sample.above.maxSeconds).toBeGreaterThan(7200);
  expect(sample.noExpiryKeys).toHaveLength(5);
  expect(sample.above.keys).toHaveLength(5);
  for (const k of [...sample.noExpiryKeys, ...sample.above.keys]) expect(k).toMatch(/^session:.*…$/);
  // The first `budget` keys are kept, with their values where they have a TTL.
  expect(sample.keys).toHaveLength(40);
  expect(sample.keys.filter((k) => k.pttlMs >= 0).every((k) => k.value?.createdAt !== undefined)).toBe(true);
  return s;
}

describe('full audit paths count every key exactly once', () => {
  it('script and lean pipeline, gentle and fast, and a node without an audit pass: the same counts and buckets', async () => {
    // Given: 332 session keys (with TTL, without, above the configured TTL, binary names) and 50 other keys
    const expected = await seed(client);
    const node = new IoRedisNode(client);
    // A port without auditKeyspace (e.g. another store implementation) is read through scan + pttl.
    const plain: RedisNodePort = {
      address: node.address,
      info: (s) => node.info(s),
      configGet: (n) => node.configGet(n),
      scan: (p, c) => node.scan(p, c),
      pttl: (k) => node.pttl(k),
      readValues: (k) => node.readValues(k),
      time: () => node.time(),
      keyspace: () => node.keyspace(),
    };

    // When: each path audits the store in batches of 16
    const runs = {
      gentleScript: await sampler(node, gentle({ pauseMs: 1 })).sample(),
      gentleLean: await sampler(node, gentle({ pauseMs: 1, script: false })).sample(),
      fastScript: await sampler(node, fast()).sample(),
      fastLean: await sampler(node, fast({ script: false })).sample(),
      gentlePlain: await sampler(plain, gentle({ pauseMs: 1 })).sample(),
      fastPlain: await sampler(plain, fast()).sample(),
    };

    // Then: every path counts each key once, and they agree bucket for bucket
    const reference = expectEveryKeyOnce(runs.gentlePlain, expected);
    for (const sample of Object.values(runs))
      expect(expectEveryKeyOnce(sample, expected).buckets).toEqual(reference.buckets);
    expect(runs.gentleScript.audit).toMatchObject({ mode: 'gentle', pauseMs: 1, nodes: [{ path: 'script' }] });
    expect(runs.gentleLean.audit).toMatchObject({
      mode: 'gentle',
      nodes: [{ path: 'lean', fallbackReason: expect.stringMatching(/script: false/) }],
    });
    // Fast on a standalone Redis, two cursors share the keyspace; gentle, one.
    expect(runs.fastScript.audit).toMatchObject({ mode: 'fast', pauseMs: 0, nodes: [{ path: 'script', cursors: 2 }] });
    expect(runs.gentleScript.audit?.nodes[0]?.cursors).toBeUndefined();
    expect(runs.fastScript.audit?.nodes[0]?.fallbackReason).toBeUndefined();
    expect(runs.fastLean.audit).toMatchObject({ mode: 'fast', nodes: [{ path: 'lean' }] });
    expect(runs.gentlePlain.audit).toMatchObject({ mode: 'gentle', nodes: [{ path: 'pipeline' }] });
    expect(runs.fastPlain.audit).toMatchObject({ mode: 'fast', nodes: [{ path: 'pipeline' }] });
    // Batches of 16 over 382 keys: many calls, so a key split across batches would have shown.
    expect(runs.fastScript.audit?.batches).toBeGreaterThan(10);
    // The script's quantiles come from the histogram (0.5 % bins), the others' from exact values.
    expect(runs.fastScript.stats.summary().approximate).toBe(true);
    expect(runs.fastScript.stats.summary().p50Seconds).toBeCloseTo(reference.p50Seconds as number, -1);
  });

  it('falls back to the lean pipeline for an ACL user denied @scripting, and says so', async () => {
    // Given: a user that may read every key but not run scripts
    const expected = await seed(client);
    await client.acl('SETUSER', 'auditor', 'on', '>auditor-pw', '~*', '&*', '+@all', '-@scripting');
    try {
      const denied = new Redis(sharedRedisUrl(), { username: 'auditor', password: 'auditor-pw' });
      extra.push(denied);

      // When: a fast audit runs as that user
      const sample = await sampler(new IoRedisNode(denied), fast()).sample();

      // Then: every key counted once on the lean path, and the report says why not the script
      expectEveryKeyOnce(sample, expected);
      expect(sample.audit?.nodes[0]).toMatchObject({
        path: 'lean',
        fallbackReason: expect.stringMatching(/refused the audit script \(NOPERM/),
      });
    } finally {
      await client.acl('DELUSER', 'auditor');
    }
  });

  it('resumes a script dropped mid-audit (SCRIPT FLUSH) without counting a batch twice', async () => {
    const expected = await seed(client);
    const node = new IoRedisNode(client);
    let flushed = false;
    const s = createKeyspaceSampler({
      nodes: [node],
      keyPattern: 'session:*',
      expectedTtlSeconds: 3600,
      full: true,
      audit: fast(),
      sampleSize: 40,
      onProgress: (scanned) => {
        if (!flushed && scanned > 100) {
          flushed = true;
          void client.script('FLUSH');
        }
      },
      now: Date.now,
      signal: new AbortController().signal,
    });
    const sample = await s.sample();
    expect(flushed).toBe(true);
    expectEveryKeyOnce(sample, expected);
    expect(sample.audit?.nodes[0]?.path).toBe('script');
  });
});

describe('a managed Redis without EVALSHA', () => {
  let server: RedisServerHandle;
  let managed: Redis;
  beforeAll(async () => {
    server = await startRedisServer(['--rename-command', 'EVALSHA', '']);
    managed = new Redis(server.port, '127.0.0.1');
  });
  afterAll(async () => {
    managed.disconnect();
    await server.stop();
  });

  it('falls back to the lean pipeline on "unknown command" and counts every key once', async () => {
    const expected = await seed(managed);
    const sample = await sampler(new IoRedisNode(managed), fast()).sample();
    expectEveryKeyOnce(sample, expected);
    expect(sample.audit?.nodes[0]).toMatchObject({
      path: 'lean',
      fallbackReason: expect.stringMatching(/unknown command/i),
    });
  });
});

describe('gentle pacing', () => {
  it('pauses between batches: N batches take at least (N - 1) x the pause', async () => {
    // Given: 200 keys, batches of 20 and a 25 ms pause
    const p = client.pipeline();
    for (let i = 0; i < 200; i++) p.set(`session:${i}`, value, 'EX', 3600);
    await p.exec();
    const pauses: number[] = [];
    const sleep = async (ms: number) => {
      pauses.push(ms);
      await new Promise((r) => setTimeout(r, ms));
    };

    // When: a gentle audit runs
    const t0 = performance.now();
    const sample = await sampler(new IoRedisNode(client), gentle({ scanCount: 20, pauseMs: 25 }), { sleep }).sample();
    const elapsed = performance.now() - t0;

    // Then: a pause between any two batches, each of the configured length, and the wall time bounded below by them
    const batches = sample.audit?.batches ?? 0;
    expect(sample.stats.summary().sampled).toBe(200);
    expect(batches).toBeGreaterThanOrEqual(10);
    expect(pauses).toEqual(Array.from({ length: batches - 1 }, () => 25));
    expect(elapsed).toBeGreaterThanOrEqual((batches - 1) * 25);
  });

  it('is unpaced only when the pause is 0, and fast never pauses', async () => {
    const p = client.pipeline();
    for (let i = 0; i < 100; i++) p.set(`session:${i}`, value, 'EX', 3600);
    await p.exec();
    const pauses: number[] = [];
    const sleep = async (ms: number) => void pauses.push(ms);
    await sampler(new IoRedisNode(client), fast({ scanCount: 10 }), { sleep }).sample();
    expect(pauses).toEqual([]);
  });

  // How long each call takes the server (SLOWLOG, target: none of 2 ms or more) is a measurement, made by
  // `npm run bench` (bench/do-no-harm.ts) on this same store; here what bounds it: the calls are small.
  it('keeps its calls small: one script call per SCAN batch of 100, so 10,000 keys take at least 50 calls', async () => {
    // Given: 5,000 sessions among 5,000 other keys, and the server's command counts reset
    const p = client.pipeline();
    for (let i = 0; i < 5_000; i++) p.set(`session:${i}`, value, 'EX', 3600);
    for (let i = 0; i < 5_000; i++) p.set(`other:${i}`, value);
    await p.exec();
    await client.config('RESETSTAT');

    // When: a gentle audit with the default batches reads every key
    const plan = auditPlanFor(undefined, undefined, DIAGNOSIS_DEFAULTS.audit);
    const sample = await sampler(new IoRedisNode(client), { ...plan, pauseMs: 0 }).sample();

    // Then: every session counted, by the script, in calls that each SCAN at most 100 slots of the keyspace
    // (COUNT 100; SCAN returns about that many keys, matching or not): no call covers more than ~200 keys
    expect(sample.stats.summary().sampled).toBe(5_000);
    expect(plan.scanCount).toBe(100);
    expect(sample.audit?.nodes[0]?.path).toBe('script');
    const stats = parseInfo(await client.info('commandstats'));
    const calls = (name: string) => Number(/calls=(\d+)/.exec(stats[`cmdstat_${name}`] ?? '')?.[1] ?? 0);
    expect(calls('evalsha') + calls('eval')).toBeGreaterThanOrEqual(10_000 / 200);
    // One SCAN per script call (SCAN from inside the script counts too), plus the first pass's few
    expect(calls('scan')).toBeLessThanOrEqual(calls('evalsha') + calls('eval') + 10);
  });
});

describe('fast is the default for nothing', () => {
  it('a full audit without --fast is gentle, whatever the environment and the defaults say', () => {
    const everything = { scanCount: 5000, pauseMs: 0, fastScanCount: 5000, script: true };
    expect(auditPlanFor(undefined, everything, DIAGNOSIS_DEFAULTS.audit).mode).toBe('gentle');
    expect(auditPlanFor({ scanCount: 10, pauseMs: 0 }, everything, DIAGNOSIS_DEFAULTS.audit).mode).toBe('gentle');
    expect(auditPlanFor(undefined, undefined, DIAGNOSIS_DEFAULTS.audit)).toEqual({
      mode: 'gentle',
      scanCount: 100,
      pauseMs: 2,
      script: true,
    });
    expect(auditPlanFor({ fast: true }, { fastScanCount: 500 }, DIAGNOSIS_DEFAULTS.audit)).toEqual({
      mode: 'fast',
      scanCount: 500,
      pauseMs: 0,
      script: true,
    });
  });

  it('the engine-side sampler of a full diagnosis runs gentle unless the run asks for fast', async () => {
    for (let i = 0; i < 30; i++) await client.set(`session:${i}`, value, 'EX', 3600);
    const env = { expectedTtlSeconds: 3600, redis: { keyPattern: 'session:*', audit: { pauseMs: 0 } } } as Parameters<
      typeof keyspaceSamplerFor
    >[0]['env'];
    const run = (audit?: { fast?: boolean }) =>
      keyspaceSamplerFor({
        store: { nodes: [new IoRedisNode(client)] },
        env,
        options: { full: true, ...(audit ? { audit } : {}) },
        now: Date.now,
        signal: new AbortController().signal,
      }).sample();
    expect((await run()).audit?.mode).toBe('gentle');
    expect((await run({})).audit?.mode).toBe('gentle');
    expect((await run({ fast: true })).audit?.mode).toBe('fast');
  });
});
