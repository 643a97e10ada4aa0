import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { parseInfo } from '../../../src/adapters/redis/redis-node.js';
import { openSessionStore } from '../../../src/adapters/redis/redis-store.js';
import { runDiagnosis } from '../../../src/diagnostics/engine.js';
import { evictionPolicyCheck } from '../../../src/diagnostics/checks/eviction-policy.js';
import { memoryCheck } from '../../../src/diagnostics/checks/memory.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { startRedisServer } from '../../support/redis-server.js';
import { resetSharedRedis } from '../../support/shared-redis.js';
import { makeContext, runChecked, plantSessions, findingById as byId, findingIds as ids } from '../check-context.js';

let client: Redis;

beforeEach(async () => {
  client?.disconnect();
  client = await resetSharedRedis();
});
afterAll(async () => {
  await client?.config('SET', 'maxmemory', '0');
  client?.disconnect();
});

const run = () => runChecked(evictionPolicyCheck, makeContext({ clients: [client] }));

async function plantOtherKeys(count: number): Promise<void> {
  const p = client.pipeline();
  for (let i = 0; i < count; i++) p.set(`feature:${i}`, 'on');
  await p.exec();
}

describe('eviction-policy', () => {
  it('volatile-lru with sessions as most keys: no finding', async () => {
    await client.config('SET', 'maxmemory-policy', 'volatile-lru');
    await plantSessions(client, { count: 100, ttlSeconds: 3600 });
    await plantOtherKeys(10);
    expect(await run()).toEqual([]);
  });

  it('eviction.noeviction is an info', async () => {
    const findings = await run();
    expect(ids(findings)).toEqual(['eviction.noeviction']);
    expect(findings[0]).toMatchObject({ severity: 'info', evidence: { policy: 'noeviction', configAllowed: true } });
    expect(findings[0]?.detail).toMatch(/SessionStoreErrors/);
  });

  it.each(['allkeys-lru', 'allkeys-lfu', 'allkeys-random'])(
    'eviction.allkeys_policy: %s without pressure is a warning',
    async (policy) => {
      await client.config('SET', 'maxmemory-policy', policy);
      await client.config('SET', 'maxmemory', '1gb');
      const findings = await run();
      expect(ids(findings)).toEqual(['eviction.allkeys_policy']);
      const f = byId(findings, 'eviction.allkeys_policy');
      expect(f.severity).toBe('warning');
      expect(f.title).toBe(`maxmemory-policy is ${policy}: sessions can be evicted before their TTL`);
      // One directive, never a whole redis.conf.
      expect(f.fix).toMatch(
        /set-eviction-policy action.*maxmemory-policy line.*redis-session-config.*leave the other lines/,
      );
      expect(f.fix).not.toContain('kubectl patch');
      expect(f.evidence).toMatchObject({ policy, configAllowed: true, evictedKeys: 0 });
    },
  );

  it('eviction.allkeys_policy is critical once Redis has evicted keys', async () => {
    // Given allkeys-lru, maxmemory just above the data, and cache writes that push sessions out
    await plantSessions(client, { count: 500, ttlSeconds: 3600 });
    const used = Number(parseInfo(await client.info('memory')).used_memory);
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await client.config('SET', 'maxmemory', String(used + 1024 * 1024));
    const filler = 'f'.repeat(4096);
    for (let round = 0; round < 200; round++) {
      const p = client.pipeline();
      for (let i = 0; i < 100; i++) p.set(`cache:${round}:${i}`, filler);
      await p.exec();
      if (Number(parseInfo(await client.info('stats')).evicted_keys) > 0) break;
    }

    const f = byId(await run(), 'eviction.allkeys_policy');

    expect(f.severity).toBe('critical');
    expect(f.evidence.evictedKeys as number).toBeGreaterThan(0);
    expect(f.detail).toMatch(/already evicted/);
  });

  it('eviction.sessions_only_candidates: volatile-* while most keys have no TTL', async () => {
    await client.config('SET', 'maxmemory-policy', 'volatile-ttl');
    await plantSessions(client, { count: 20, ttlSeconds: 3600 });
    await plantOtherKeys(80);

    const findings = await run();

    expect(ids(findings)).toEqual(['eviction.sessions_only_candidates']);
    const f = byId(findings, 'eviction.sessions_only_candidates');
    expect(f.severity).toBe('warning');
    expect(f.evidence).toMatchObject({ keys: 100, expires: 20, expiresRatio: 0.2, policy: 'volatile-ttl' });
    expect(f.title).toBe('volatile-ttl evicts only keys with a TTL, and only 20% of keys have one');
  });

  describe('on a managed Redis that refuses CONFIG', () => {
    it('reads the policy from INFO memory and says so', async () => {
      const server = await startRedisServer(['--rename-command', 'CONFIG', '""', '--maxmemory-policy', 'allkeys-lfu']);
      const managed = new Redis(server.url);
      try {
        await expect(managed.config('GET', 'maxmemory-policy')).rejects.toThrow(/unknown command/i);
        const findings = await runChecked(evictionPolicyCheck, makeContext({ clients: [managed] }));
        const f = byId(findings, 'eviction.allkeys_policy');
        expect(f.evidence).toMatchObject({
          policy: 'allkeys-lfu',
          configAllowed: false,
          source: 'INFO memory (maxmemory_policy)',
        });
        expect(f.evidence.note).toMatch(/CONFIG is disabled/);
      } finally {
        managed.disconnect();
        await server.stop();
      }
    });

    it('through the engine, the memory and eviction-policy checks both finish', async () => {
      const server = await startRedisServer(['--rename-command', 'CONFIG', '""', '--maxmemory-policy', 'allkeys-lru']);
      const config = parseConfig(
        {
          environments: { prod: { profile: 'production', redis: { url: server.url } } },
          defaults: { rateWindowMs: 0 },
        },
        'test',
      );
      const store = openSessionStore(config.environments.prod!, {});
      try {
        const report = await runDiagnosis(
          {
            config,
            registry: createCheckRegistry([memoryCheck, evictionPolicyCheck]),
            sourcesFor: () => ({ redis: store }),
          },
          { envName: 'prod' },
        );
        expect(report.checks.map((c) => [c.id, c.status])).toEqual([
          ['memory', 'findings'],
          ['eviction-policy', 'findings'],
        ]);
        expect(report.findings.map((f) => `${f.check}:${f.id}:${f.severity}`).sort()).toEqual([
          'eviction-policy:eviction.allkeys_policy:warning',
          'memory:memory.no_limit:info',
        ]);
      } finally {
        await store.close();
        await server.stop();
      }
    });
  });
});
