import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClusterSessions } from '../../bench/seed-cluster.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { diagnoseJson, nodeClient, writeConfig } from './cluster-env.js';

// Issue 13's acceptance, opt-in (about a minute on 2 shared cores): CLUSTER_ACCEPTANCE=1 npx vitest run
// test/cluster/acceptance-300k.test.ts. "On a 3-master local cluster holding 300,000 sessions with one
// master on allkeys-lru, diagnose names that node, --full counts 300,000 keys."

const SESSIONS = Number(process.env.CLUSTER_ACCEPTANCE_KEYS ?? 300_000);
let cluster: RedisClusterHandle;
let config: string;
let odd: string;

describe.runIf(process.env.CLUSTER_ACCEPTANCE === '1')(`acceptance: ${SESSIONS.toLocaleString('en-US')} sessions on 3 masters, one on allkeys-lru`, () => {
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    const t0 = Date.now();
    const perMaster = await seedClusterSessions({
      masterPorts: cluster.masters.map((m) => m.port),
      count: SESSIONS,
      ttlSeconds: 3600,
      spreadSeconds: 3000,
      nowMs: Date.now(),
    });
    console.log(`seeded ${SESSIONS} sessions in ${Date.now() - t0} ms: ${JSON.stringify([...perMaster])}`);
    const clients = cluster.masters.map((m) => nodeClient(m.port));
    await Promise.all(clients.map((c, i) => c.config('SET', 'maxmemory-policy', i === 2 ? 'allkeys-lru' : 'volatile-lru')));
    clients.forEach((c) => c.disconnect());
    odd = `127.0.0.1:${cluster.masters[2]!.port}`;
    config = writeConfig({ cl: { profile: 'development', expectedTtlSeconds: 3600, redis: { url: cluster.url, cluster: true } } });
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('diagnose names the allkeys-lru master', async () => {
    const t0 = Date.now();
    const { report } = await diagnoseJson(config, 'cl');
    const f = report.findings.find((x) => x.id === 'eviction.allkeys_policy');
    console.log(`diagnose: ${Date.now() - t0} ms; ${f?.title}`);
    expect(f?.title).toContain(`allkeys-lru on 1 of 3 masters (${odd})`);
    expect(f?.evidence).toMatchObject({ address: odd, affected: [odd] });
  }, 120_000);

  it(`diagnose --full counts ${SESSIONS.toLocaleString('en-US')} keys`, async () => {
    const t0 = Date.now();
    const { report } = await diagnoseJson(config, 'cl', ['--full']);
    const dist = report.findings.find((x) => x.id === 'ttl.distribution');
    const audit = report.checks.find((c) => c.id === 'ttl-sample')?.durationMs;
    console.log(`diagnose --full: ${Date.now() - t0} ms (audit ${audit} ms); ${dist?.title}`);
    expect(dist?.evidence).toMatchObject({ mode: 'full', sampled: SESSIONS, nodes: 3, slotMap: { changed: false } });
  }, 300_000);
});
