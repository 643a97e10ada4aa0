import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setMaxmemory } from '../../../src/remediation/actions/set-maxmemory.js';
import { tuneAof } from '../../../src/remediation/actions/tune-aof.js';
import { deploymentObject, startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { configGet, harness, patches, REDIS_CM, REDIS_CONF, seedCluster, type Harness } from './action-harness.js';

let kube: FakeKubeApi;
let redis: Redis;
let h: Harness;
let aofDefaults: [string, string];

beforeAll(async () => {
  kube = await startFakeKubeApi();
});
afterAll(async () => {
  await kube.stop();
});
beforeEach(async () => {
  redis = await resetSharedRedis();
  aofDefaults = [
    await configGet(redis, 'auto-aof-rewrite-percentage'),
    await configGet(redis, 'auto-aof-rewrite-min-size'),
  ];
  await redis.config('SET', 'maxmemory', '512mb');
  seedCluster(kube);
  kube.requests.length = 0;
  h = harness(kube, sharedRedisUrl());
});
afterEach(async () => {
  await redis.config('SET', 'maxmemory', '0');
  await redis.config('SET', 'auto-aof-rewrite-percentage', aofDefaults[0]);
  await redis.config('SET', 'auto-aof-rewrite-min-size', aofDefaults[1]);
  redis.disconnect();
  await h.close();
});

const confOf = () => kube.getConfigMap(REDIS_CM)!.data['redis.conf'] as string;

describe('set-maxmemory', () => {
  it('validates the size', () => {
    expect(setMaxmemory.params.safeParse({ maxmemory: '768mb' }).success).toBe(true);
    expect(setMaxmemory.params.safeParse({ maxmemory: 1073741824 }).success).toBe(true);
    for (const bad of ['lots', '512', '-1mb', '12tb', ''])
      expect(setMaxmemory.params.safeParse({ maxmemory: bad }).success).toBe(false);
  });

  it('sets maxmemory live in bytes and in redis.conf as written, and reverts both exactly', async () => {
    const p = await setMaxmemory.plan(h.ctx, setMaxmemory.params.parse({ maxmemory: '768mb' }));
    expect(p.changes[0]).toMatchObject({
      kind: 'redis-config',
      parameter: 'maxmemory',
      before: String(512 * 1024 ** 2),
      after: String(768 * 1024 ** 2),
    });
    expect(p.warnings).toEqual([]);
    const outcome = await setMaxmemory.apply(h.ctx, p);
    expect(outcome.ok).toBe(true);
    expect(await configGet(redis, 'maxmemory')).toBe(String(768 * 1024 ** 2));
    expect(confOf()).toBe(REDIS_CONF.replace('maxmemory 512mb', 'maxmemory 768mb'));
    await setMaxmemory.revert(h.ctx, { action: p.action, env: p.env, changes: outcome.applied });
    expect(await configGet(redis, 'maxmemory')).toBe(String(512 * 1024 ** 2));
    expect(confOf()).toBe(REDIS_CONF);
  });

  it('is a noop when the value already matches, in any unit', async () => {
    const p = await setMaxmemory.plan(h.ctx, setMaxmemory.params.parse({ maxmemory: String(512 * 1024 ** 2) }));
    expect(p.noop).toBe(true);
    expect(patches(kube)).toEqual([]);
  });

  it("warns when the new value exceeds the Redis pod's memory limit, and when it lowers maxmemory", async () => {
    kube.setDeployment(deploymentObject({ name: 'redis-session', memoryLimit: '512Mi' }));
    const high = await setMaxmemory.plan(h.ctx, setMaxmemory.params.parse({ maxmemory: '1gb' }));
    expect(high.warnings.join('\n')).toMatch(/maxmemory 1gb exceeds the Redis pod's memory limit of 512Mi/);
    const low = await setMaxmemory.plan(h.ctx, setMaxmemory.params.parse({ maxmemory: '256mb' }));
    expect(low.warnings.join('\n')).toMatch(/lowers maxmemory .* from 512mb to 256mb/);
    expect(low.warnings.join('\n')).not.toMatch(/exceeds/);
  });
});

describe('tune-aof', () => {
  it('sets both rewrite settings with the runbook defaults, appending them to redis.conf', async () => {
    await redis.config('SET', 'auto-aof-rewrite-percentage', '200');
    await redis.config('SET', 'auto-aof-rewrite-min-size', '64mb');
    const p = await tuneAof.plan(h.ctx, tuneAof.params.parse({}));
    expect(p.changes.filter((c) => c.kind === 'redis-config')).toHaveLength(2);
    await tuneAof.apply(h.ctx, p);
    expect(await configGet(redis, 'auto-aof-rewrite-percentage')).toBe('100');
    expect(await configGet(redis, 'auto-aof-rewrite-min-size')).toBe(String(128 * 1024 ** 2));
    expect(confOf()).toBe(`${REDIS_CONF}auto-aof-rewrite-percentage 100\nauto-aof-rewrite-min-size 128mb\n`);
  });
});
