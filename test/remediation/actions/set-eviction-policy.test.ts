import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisAdminError } from '../../../src/adapters/redis/redis-admin.js';
import { setEvictionPolicy } from '../../../src/remediation/actions/set-eviction-policy.js';
import { StalePlanError } from '../../../src/remediation/actions/stale-plan-error.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { startRedisServer } from '../../support/redis-server.js';
import { clusterError } from '../../adapters/expect-cluster-error.js';
import { configGet, harness, patches, REDIS_CM, REDIS_CONF, seedCluster, type Harness } from './action-harness.js';

let kube: FakeKubeApi;
let redis: Redis;
let h: Harness;

beforeAll(async () => {
  kube = await startFakeKubeApi();
});
afterAll(async () => {
  await kube.stop();
});
beforeEach(async () => {
  redis = await resetSharedRedis();
  await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
  seedCluster(kube);
  kube.requests.length = 0;
  h = harness(kube, sharedRedisUrl());
});
afterEach(async () => {
  kube.clearFaults();
  await redis.config('SET', 'maxmemory-policy', 'noeviction');
  redis.disconnect();
  await h.close();
});

const plan = () => setEvictionPolicy.plan(h.ctx, setEvictionPolicy.params.parse({}));
const confOf = () => kube.getConfigMap(REDIS_CM)!.data['redis.conf'] as string;

describe('set-eviction-policy', () => {
  it('plans the CONFIG SET per node and the one-line ConfigMap diff, with no side effect', async () => {
    const p = await plan();
    const node = (await h.admin.nodes())[0]!;
    expect(p.noop).toBe(false);
    expect(p.changes).toEqual([
      { kind: 'redis-config', node, parameter: 'maxmemory-policy', before: 'allkeys-lru', after: 'volatile-lru' },
      expect.objectContaining({
        kind: 'configmap',
        name: REDIS_CM,
        key: 'redis.conf',
        before: REDIS_CONF,
        resourceVersion: kube.getConfigMap(REDIS_CM)!.metadata.resourceVersion,
        diff: [
          '@@ redis.conf line 5 @@',
          ' # eviction',
          '-maxmemory-policy allkeys-lru',
          '+maxmemory-policy volatile-lru',
          ' appendonly yes',
        ],
      }),
    ]);
    expect(p.summary).toMatch(/Set maxmemory-policy to volatile-lru on 1 node and in ConfigMap redis-session-config/);
    // Then nothing changed.
    expect(await configGet(redis, 'maxmemory-policy')).toBe('allkeys-lru');
    expect(confOf()).toBe(REDIS_CONF);
    expect(patches(kube)).toEqual([]);
  });

  it('applies: CONFIG SET on the server and exactly one line of redis.conf, as a merge patch with the resourceVersion', async () => {
    const p = await plan();
    const outcome = await setEvictionPolicy.apply(h.ctx, p);
    expect(outcome).toMatchObject({ ok: true, applied: p.changes });
    expect(await configGet(redis, 'maxmemory-policy')).toBe('volatile-lru');
    const [patch] = patches(kube);
    expect(patches(kube)).toHaveLength(1);
    expect(patch!.headers['content-type']).toBe('application/merge-patch+json');
    const body = patch!.body as { metadata: { resourceVersion: string }; data: Record<string, string> };
    expect(body.metadata.resourceVersion).toBe((p.changes[1] as { resourceVersion: string }).resourceVersion);
    expect(Object.keys(body.data)).toEqual(['redis.conf']);
    const before = REDIS_CONF.split('\n');
    const after = body.data['redis.conf']!.split('\n');
    expect(after).toHaveLength(before.length);
    expect(after.filter((l, i) => l !== before[i])).toEqual(['maxmemory-policy volatile-lru']);
    expect(confOf()).toBe(body.data['redis.conf']);
  });

  it('fails with conflict when the ConfigMap changed since the preview, and changes nothing (Redis included)', async () => {
    const p = await plan();
    const moved = `${REDIS_CONF}# edited by someone else\n`;
    kube.setConfigMap({ ...kube.getConfigMap(REDIS_CM)!, metadata: { name: REDIS_CM }, data: { 'redis.conf': moved } });
    const err = await clusterError(setEvictionPolicy.apply(h.ctx, p));
    expect(err.kind).toBe('conflict');
    expect(err.message).toMatch(/changed since the preview.*review the action again/);
    expect(await configGet(redis, 'maxmemory-policy')).toBe('allkeys-lru');
    expect(confOf()).toBe(moved);
    expect(patches(kube)).toEqual([]);
  });

  it('puts Redis back when the API answers 409 to the patch itself', async () => {
    const p = await plan();
    kube.failNextOn('PATCH', `/configmaps/${REDIS_CM}`, 409);
    const err = await clusterError(setEvictionPolicy.apply(h.ctx, p));
    expect(err.kind).toBe('conflict');
    expect(await configGet(redis, 'maxmemory-policy')).toBe('allkeys-lru');
    expect(confOf()).toBe(REDIS_CONF);
  });

  it('on a 403 says what to grant, and leaves everything as it was', async () => {
    const p = await plan();
    kube.failNextOn('PATCH', `/configmaps/${REDIS_CM}`, 403);
    const err = await clusterError(setEvictionPolicy.apply(h.ctx, p));
    expect(err.kind).toBe('forbidden');
    expect(err.message).toMatch(/"patch" on configmaps "redis-session-config".*manifests\/bot\/rbac\.yaml/);
    expect(await configGet(redis, 'maxmemory-policy')).toBe('allkeys-lru');
    expect(confOf()).toBe(REDIS_CONF);
  });

  it('refuses when the live value moved since the preview', async () => {
    const p = await plan();
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    await expect(setEvictionPolicy.apply(h.ctx, p)).rejects.toBeInstanceOf(StalePlanError);
    expect(await configGet(redis, 'maxmemory-policy')).toBe('allkeys-lfu');
    expect(patches(kube)).toEqual([]);
  });

  it('reverts to the exact previous values', async () => {
    const p = await plan();
    const outcome = await setEvictionPolicy.apply(h.ctx, p);
    const back = await setEvictionPolicy.revert(h.ctx, { action: p.action, env: p.env, changes: outcome.applied });
    expect(back.ok).toBe(true);
    expect(await configGet(redis, 'maxmemory-policy')).toBe('allkeys-lru');
    expect(confOf()).toBe(REDIS_CONF);
  });

  it('refuses to revert a ConfigMap changed after the apply', async () => {
    const p = await plan();
    const outcome = await setEvictionPolicy.apply(h.ctx, p);
    const edited = confOf().replace('appendonly yes', 'appendonly no');
    kube.setConfigMap({ ...kube.getConfigMap(REDIS_CM)!, data: { 'redis.conf': edited } });
    const err = await clusterError(
      setEvictionPolicy.revert(h.ctx, { action: p.action, env: p.env, changes: outcome.applied }),
    );
    expect(err.kind).toBe('conflict');
    expect(confOf()).toBe(edited);
    expect(await configGet(redis, 'maxmemory-policy')).toBe('volatile-lru');
  });

  it('is a noop when the store and the ConfigMap already have the policy', async () => {
    await redis.config('SET', 'maxmemory-policy', 'volatile-lru');
    seedCluster(kube, REDIS_CONF.replace('allkeys-lru', 'VOLATILE-LRU'));
    const p = await plan();
    expect(p.noop).toBe(true);
    expect(p.changes).toEqual([]);
  });

  it('warns of OOM write errors when few keys carry a TTL, and when sessions are the only ones that do', async () => {
    for (let i = 0; i < 20; i++) await redis.set(`cache:${i}`, 'x');
    await redis.set('session:a', 'x', 'EX', 3600);
    const p = await plan();
    expect(p.warnings.join('\n')).toMatch(/Only 1 of 21 keys \(4\.8%\) carry a TTL.*OOM/);
    expect(p.warnings.join('\n')).toMatch(/Sessions are \(nearly\) the only keys with a TTL/);
  });

  it('warns about a duplicated directive and edits the last one', async () => {
    seedCluster(kube, `maxmemory-policy noeviction\n${REDIS_CONF}`);
    const p = await plan();
    expect(p.warnings.join('\n')).toMatch(/sets maxmemory-policy 2 times; the last one \(line 6\)/);
  });
});

describe('set-eviction-policy when Redis goes down between the preview and the apply', () => {
  it('fails closed: nothing is changed in the ConfigMap', async () => {
    const server = await startRedisServer(['--maxmemory-policy', 'allkeys-lru']);
    const own = harness(kube, server.url);
    try {
      const p = await setEvictionPolicy.plan(own.ctx, { policy: 'volatile-lru' });
      await server.stop();
      const err = await setEvictionPolicy.apply(own.ctx, p).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RedisAdminError);
      expect((err as RedisAdminError).kind).toBe('unreachable');
      expect(confOf()).toBe(REDIS_CONF);
      expect(patches(kube)).toEqual([]);
    } finally {
      await own.close();
      await server.stop();
    }
  });
});
