import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.js';
import { resetSharedRedis } from '../support/shared-redis.js';
import {
  clusterOf,
  diagnose,
  plantHealthyCluster,
  problems,
  seedSessions,
  testConfig,
} from '../diagnostics/healthy-environment.js';
import { plantAllkeysEvictions } from '../support/plant-evictions.js';

// Issue 3 acceptance, whole-engine view: the real allChecks registry, real Redis, real client-node
// against the fake API server. Scenarios 2-7 planted alone are covered next to their checks
// (write-pattern, sliding-window, deletions, clock-skew, hardcoded-ttl, aof tests).
describe('scenario ranking over every check', () => {
  let kube: FakeKubeApi;
  let redis: Redis;

  beforeAll(async () => {
    kube = await startFakeKubeApi({ namespace: 'langgraph-agent' });
  });
  afterAll(async () => {
    await kube.stop();
  });
  beforeEach(async () => {
    redis = await resetSharedRedis();
    plantHealthyCluster(kube);
  });

  it('a healthy environment has no likely scenario and says so', async () => {
    await seedSessions(redis);
    const report = await diagnose({ config: testConfig(), client: redis, cluster: clusterOf(kube) });
    expect(problems(report)).toEqual([]);
    expect(report.checks.filter((c) => c.status === 'error')).toEqual([]);
    expect(report.scenarios.filter((s) => s.likelihood === 'likely')).toEqual([]);
    expect(report.scenarios.map((s) => [s.scenario, s.likelihood])).toEqual([
      [1, 'ruled_out'],
      [2, 'ruled_out'],
      [3, 'ruled_out'],
      [4, 'ruled_out'],
      [5, 'ruled_out'],
      [6, 'ruled_out'],
      [7, 'ruled_out'],
    ]);
  });

  it('Scenario 1 planted alone (allkeys-lru evicting sessions) ranks first as likely', async () => {
    await seedSessions(redis, { count: 2000 });
    await plantAllkeysEvictions(redis);
    const report = await diagnose({ config: testConfig(), client: redis, cluster: clusterOf(kube) });
    expect(report.scenarios[0]).toMatchObject({ scenario: 1, name: 'Redis memory eviction', likelihood: 'likely' });
    expect(report.scenarios[0]!.evidence).toEqual(
      expect.arrayContaining(['eviction.allkeys_policy', 'memory.high_usage']),
    );
    expect(report.scenarios.slice(1).filter((s) => s.likelihood === 'likely')).toEqual([]);
  });
});
