// Audits from a Cluster's replicas (redis.cluster with readFrom: replica, or unset: the default): `--full`
// reads each master's slots on a replica of that master (direct connection with READONLY) and sends no keyspace
// command to any master (MONITOR on every master); every key is counted; INFO/CONFIG of the masters are still
// read. readFrom: primary reads the masters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsOn, findingById } from '../support/replica-reads.js';
import { seedClusterSessions } from '../../bench/seed-cluster.js';
import { openSessionStore } from '../../src/adapters/redis/redis-store.js';
import { parseConfig } from '../../src/config/config.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import type { Report } from '../../src/diagnostics/types.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { diagnoseJson, nodeClient, writeConfig } from './cluster-env.js';

const SESSIONS = 6000;
const KEYSPACE_COMMANDS = /^"(scan|pttl|eval|evalsha|evalsha_ro|eval_ro|get|hgetall|dbsize)"/i;

let cluster: RedisClusterHandle;
let config: string;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicas: 1 });
  await seedClusterSessions({
    masterPorts: cluster.masters.map((m) => m.port),
    count: SESSIONS,
    ttlSeconds: 3600,
    spreadSeconds: 3000,
    nowMs: Date.now(),
  });
  // Every replica has its master's keys before the audits start.
  const masters = cluster.masters.map((m) => nodeClient(m.port));
  expect(await Promise.all(masters.map((c) => c.call('WAIT', 1, 10_000)))).toEqual([1, 1, 1]);
  masters.forEach((c) => c.disconnect());
  const redis = { url: cluster.url, cluster: true };
  config = writeConfig({
    rep: { profile: 'development', expectedTtlSeconds: 3600, redis: { ...redis, readFrom: 'replica' } },
    def: { profile: 'development', expectedTtlSeconds: 3600, redis },
    pri: { profile: 'development', expectedTtlSeconds: 3600, redis: { ...redis, readFrom: 'primary' } },
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('--full on a Cluster with replicas', () => {
  it.each([
    ['readFrom: replica', 'rep'],
    ['readFrom unset (the default)', 'def'],
  ])(
    "%s: reads each master's slots on its replica, counts every key, no keyspace command to a master",
    async (_, env) => {
      let report: Report | undefined;
      const onMasters = await commandsOn(
        cluster.masters.map((m) => m.port),
        async () => {
          ({ report } = await diagnoseJson(config, env, ['--full']));
        },
      );
      expect(report!.findings.map((f) => f.id)).not.toContain('replica_reads.fallback');
      const source = findingById(report!, 'replica_reads.source');
      expect(onMasters.filter((c) => KEYSPACE_COMMANDS.test(c))).toEqual([]);
      expect(onMasters).toContain('"info"');
      const replicas = cluster.replicas.map((r) => `127.0.0.1:${r.port}`).sort();
      expect([...(source.evidence as { readFrom: string[] }).readFrom].sort()).toEqual(replicas);
      expect(source.title).toMatch(/Keys were read on replica .* \(\d+ bytes of replication stream behind\)/);
      expect(findingById(report!, 'ttl.distribution').evidence).toMatchObject({
        mode: 'full',
        sampled: SESSIONS,
        nodes: 3,
      });
    },
    120_000,
  );

  it('the sampler (diagnose without --full) reads the replicas too', async () => {
    let report: Report | undefined;
    const onMasters = await commandsOn(
      cluster.masters.map((m) => m.port),
      async () => {
        ({ report } = await diagnoseJson(config, 'rep'));
      },
    );
    expect(onMasters.filter((c) => KEYSPACE_COMMANDS.test(c))).toEqual([]);
    expect(findingById(report!, 'ttl.distribution').evidence).toMatchObject({ nodes: 3 });
  }, 120_000);

  it('readFrom: primary reads the masters', async () => {
    let report: Report | undefined;
    const onMasters = await commandsOn(
      cluster.masters.map((m) => m.port),
      async () => {
        ({ report } = await diagnoseJson(config, 'pri', ['--full']));
      },
    );
    expect(onMasters.filter((c) => KEYSPACE_COMMANDS.test(c)).length).toBeGreaterThan(0);
    expect(report!.findings.some((f) => f.id.startsWith('replica_reads.'))).toBe(false);
    expect(findingById(report!, 'ttl.distribution').evidence).toMatchObject({
      mode: 'full',
      sampled: SESSIONS,
      nodes: 3,
    });
  }, 120_000);
});

// Last: the failover swaps a master and its replica for good.
describe('--full on a Cluster replica during a failover', () => {
  it('CLUSTER FAILOVER on the replica being read mid-audit: every key counted once, and the report names the promoted node', async () => {
    // Given: a slow gentle audit (10 keys a batch, 20 ms apart) of the replicas, through the engine as the CLI runs it
    const cfg = parseConfig(
      {
        environments: {
          rep: {
            profile: 'development',
            expectedTtlSeconds: 3600,
            redis: { url: cluster.url, cluster: true, readFrom: 'replica', audit: { scanCount: 10, pauseMs: 20 } },
          },
        },
        defaults: { rateWindowMs: 100 },
      },
      'test',
    );
    const store = openSessionStore(cfg.environments.rep!, {});
    const promoted = cluster.replicas[0]!.port;
    const replica = nodeClient(promoted);
    let failover: Promise<unknown> | undefined;
    try {
      // When: the first batch is in, the replica read is promoted (its master becomes its replica)
      const report = await runDiagnosis(
        { config: cfg, registry: createCheckRegistry(allChecks), sourcesFor: () => ({ redis: store }) },
        {
          envName: 'rep',
          checkIds: ['ttl-sample', 'replica-reads'],
          options: { full: true, onProgress: () => void (failover ??= replica.call('CLUSTER', 'FAILOVER')) },
        },
      );
      await failover;
      const role = await replica.call('ROLE');

      // Then: the promotion happened during the audit; every key counted once, and the report says a failover
      // (not a slot move) happened, naming the promoted replica, instead of calling the counts approximate
      expect((role as unknown[])[0]).toBe('master');
      const dist = findingById(report, 'ttl.distribution');
      expect(dist.evidence).toMatchObject({ mode: 'full', sampled: SESSIONS, nodes: 3 });
      const slotMap = dist.evidence.slotMap as { movedSlots: number; failovers: { from: string; to: string }[] };
      expect(slotMap.failovers).toEqual([
        expect.objectContaining({ to: `127.0.0.1:${promoted}`, slots: expect.any(Number) }),
      ]);
      expect(slotMap.movedSlots).toBe(0);
      expect(dist.title).toContain(`failed over to its replica 127.0.0.1:${promoted}`);
      expect(dist.title).toContain('no key moved, the counts stand');
      expect(dist.title).not.toContain('approximate');
    } finally {
      await failover?.catch(() => undefined);
      replica.disconnect();
      await store.close();
    }
  }, 60_000);
});
