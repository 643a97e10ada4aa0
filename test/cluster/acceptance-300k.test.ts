import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClusterSessions } from '../../bench/seed-cluster.js';
import { SRE, standardAccess, startFlow, textOf } from '../remediation/slack-flow-harness.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { diagnoseJson, nodeClient, writeConfig } from './cluster-env.js';

// Issue 13's acceptance, part of the suite (about 12 s on an idle 2-core machine; CLUSTER_ACCEPTANCE=0
// leaves it out): "On a 3-master local cluster holding 300,000 sessions with one master on allkeys-lru,
// diagnose names that node, --full counts 300,000 keys, and the eviction-policy action fixes all nodes."
// The cluster has a replica per master, so "all nodes" includes replicas.

const SESSIONS = Number(process.env.CLUSTER_ACCEPTANCE_KEYS ?? 300_000);
let cluster: RedisClusterHandle;
let config: string;
let odd: string;

describe.skipIf(process.env.CLUSTER_ACCEPTANCE === '0')(
  `acceptance: ${SESSIONS.toLocaleString('en-US')} sessions on 3 masters, one on allkeys-lru`,
  () => {
    beforeAll(async () => {
      cluster = await startRedisCluster({ masters: 3, replicas: 1 });
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
      // --full reads each master's replica (readFrom unset): every replica holds its master's keys first.
      expect(await Promise.all(clients.map((c) => c.call('WAIT', 1, 30_000)))).toEqual([1, 1, 1]);
      await Promise.all(
        clients.map((c, i) => c.config('SET', 'maxmemory-policy', i === 2 ? 'allkeys-lru' : 'volatile-lru')),
      );
      clients.forEach((c) => c.disconnect());
      odd = `127.0.0.1:${cluster.masters[2]!.port}`;
      config = writeConfig({
        cl: { profile: 'development', expectedTtlSeconds: 3600, redis: { url: cluster.url, cluster: true } },
      });
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
      const check = report.checks.find((c) => c.id === 'ttl-sample');
      const audit = check?.durationMs;
      // The check's own words (status, message, notes) say why, should the distribution ever be missing.
      console.log(`diagnose --full: ${Date.now() - t0} ms (audit ${audit} ms); ${dist?.title}`, dist ? '' : check);
      expect(dist?.evidence).toMatchObject({ mode: 'full', sampled: SESSIONS, nodes: 3, slotMap: { changed: false } });
    }, 300_000);

    it('the eviction-policy action, applied from Slack, fixes every master and replica', async () => {
      // Given: the real bot (fake Slack and Kubernetes API at their HTTP edge) serving the cluster.
      const f = await startFlow({
        envs: {
          dev: { profile: 'development' },
          cl: { profile: 'development', redisUrl: cluster.url, redis: { cluster: true } },
        },
        access: standardAccess(['dev', 'cl']),
      });
      const nodes = cluster.nodes.map((n) => nodeClient(n.port));
      const policies = () =>
        Promise.all(nodes.map(async (n) => ((await n.config('GET', 'maxmemory-policy')) as string[])[1]));
      try {
        // Replicas copy nothing of their master's config: give them the master's odd policy too.
        await Promise.all(
          cluster.replicas.map((_, i) => nodes[3 + i]!.config('SET', 'maxmemory-policy', 'allkeys-lru')),
        );
        const t0 = Date.now();
        // When: SRE opens the fix offered by the report and applies it.
        const report = await f.diagnose('cl');
        const view = await f.openPreview(SRE, report);
        const before = f.slack.callsOf('chat.postMessage').length;
        await f.submit(SRE, view, 'volatile-lru');
        const applied = await f.slack.waitFor(
          'chat.postMessage',
          (c) =>
            f.slack.callsOf('chat.postMessage').indexOf(c) >= before && /set-eviction-policy in cl/.test(textOf(c)),
        );
        await f.bot.idle();
        console.log(`diagnose + preview + apply from Slack: ${Date.now() - t0} ms; ${textOf(applied).split('\n')[0]}`);

        // Then: every one of the six nodes runs volatile-lru: the four that ran allkeys-lru (the odd master
        // and the three replicas) were changed and confirmed; the two masters already right were left alone.
        expect(textOf(applied)).toContain('Applied set-eviction-policy in cl: changed and confirmed on 4 of 4 nodes.');
        expect(await policies()).toEqual(Array(6).fill('volatile-lru'));
      } finally {
        nodes.forEach((n) => n.disconnect());
        await f.close();
      }
    }, 300_000);
  },
);
