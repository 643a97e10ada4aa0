// redis.tls on a Redis Cluster (issue 20): every connection the bot opens to the nodes (the cluster client,
// each master's node, the monitor's subscribers, the remediation admin) speaks TLS with the private CA.
import { readFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSourceCache } from '../../src/app/sources.js';
import { openCanaryRedis } from '../../src/adapters/redis/canary-redis.js';
import { openClusterAdmin } from '../../src/adapters/redis/cluster-admin.js';
import { keyspaceFeedOpener } from '../../src/adapters/redis/keyspace-feed.js';
import { redisAdminOptions } from '../../src/adapters/redis/redis-admin.js';
import { parseConfig, type Config } from '../../src/config/config.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { eventually } from '../support/eventually.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { makeTlsCerts, type TlsCerts } from '../support/tls-certs.js';

describe('a Redis Cluster over TLS with a private CA (redis.tls, issue 20)', () => {
  let certs: TlsCerts;
  let cluster: RedisClusterHandle;
  let config: Config;

  beforeAll(async () => {
    certs = makeTlsCerts();
    cluster = await startRedisCluster({
      masters: 3,
      tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.caFile },
      extraArgs: ['--maxmemory-policy', 'allkeys-lru', '--notify-keyspace-events', 'K$gx'],
    });
    const seeder = new Cluster([{ host: '127.0.0.1', port: cluster.tlsPorts[0]! }], {
      redisOptions: { tls: { ca: readFileSync(certs.caFile) } },
    });
    const now = Math.floor(Date.now() / 1000);
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        seeder.set(`session:c${i}`, JSON.stringify({ user_id: `u${i}`, created_at: now - i }), 'EX', 3600 - i),
      ),
    );
    seeder.disconnect();
    const env = (caFile: string) => ({
      profile: 'development',
      redis: { url: cluster.tlsUrl, cluster: true, tls: { caFile } },
    });
    config = parseConfig({ environments: { tls: env(certs.caFile), wrong: env(certs.otherCaFile) } }, 'test');
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    certs?.remove();
  });

  it('diagnoses every master over TLS, and names a wrong CA in redis.tls', async () => {
    const sources = createSourceCache({});
    const deps = { config, registry: createCheckRegistry(allChecks), sourcesFor: sources.sourcesFor };
    try {
      const report = await runDiagnosis(deps, { envName: 'tls', checkIds: ['eviction-policy', 'ttl-sample'] });
      const ids = report.findings.map((f) => f.id);
      expect(ids, JSON.stringify(report.checks)).not.toContain('redis.unreachable');
      expect(ids).not.toContain('redis.tls');
      expect(JSON.stringify(report.findings)).toContain('allkeys-lru');
      // Each master read over TLS: the findings name the TLS ports, the ones the nodes announce to TLS clients.
      expect(JSON.stringify(report.findings)).toContain(`127.0.0.1:${cluster.tlsPorts[1]}`);

      const wrong = await runDiagnosis(deps, { envName: 'wrong', checkIds: ['eviction-policy'] });
      const finding = wrong.findings.find((f) => f.id === 'redis.tls');
      expect(finding, JSON.stringify([wrong.findings, wrong.checks])).toBeDefined();
      expect(finding?.detail).toMatch(/not signed by the CA in caFile/);
      expect(wrong.findings.map((f) => f.id)).not.toContain('redis.unreachable');
    } finally {
      await sources.close();
    }
  }, 120_000);

  it("writes verify's canary over TLS, and names a wrong CA there too", async () => {
    const canary = openCanaryRedis(config.environments.tls!, {});
    try {
      await canary.setEx('session:ttl-canary-tls', 'x', 600);
      expect(await canary.pttl('session:ttl-canary-tls')).toBeGreaterThan(500_000);
      await canary.remove('session:ttl-canary-tls');
      expect(await canary.exists('session:ttl-canary-tls')).toBe(false);
    } finally {
      await canary.close();
    }
    const wrong = openCanaryRedis(config.environments.wrong!, {});
    try {
      await expect(wrong.setEx('session:ttl-canary-tls', 'x', 600)).rejects.toMatchObject({
        kind: 'tls',
        message: expect.stringMatching(/not signed by the CA in caFile/),
      });
    } finally {
      await wrong.close();
    }
  }, 120_000);

  it('subscribes to every master over TLS (monitor) and reads CONFIG through the admin connections', async () => {
    const env = config.environments.tls!;
    const feed = keyspaceFeedOpener({}, { topologyRefreshMs: 500 })(env);
    const events: string[] = [];
    try {
      await feed.subscribe({
        onEvent: (key, event) => events.push(`${key}:${event}`),
        onConnectionLost: () => undefined,
        onReconnected: () => undefined,
      });
      const writer = new Cluster([{ host: '127.0.0.1', port: cluster.tlsPorts[0]! }], {
        redisOptions: { tls: { ca: readFileSync(certs.caFile) } },
      });
      try {
        // Keys spread over the masters: each master's subscriber must deliver its own.
        await eventually('events from every master', async () => {
          await Promise.all([0, 1, 2, 3, 4, 5].map((i) => writer.set(`session:feed${i}`, 'x', 'EX', 600)));
          const seen = [0, 1, 2, 3, 4, 5].every((i) => events.includes(`session:feed${i}:set`));
          return seen ? true : undefined;
        });
      } finally {
        writer.disconnect();
      }
    } finally {
      await feed.close();
    }

    const admin = openClusterAdmin(env, redisAdminOptions(env, {}));
    try {
      const nodes = await admin.nodes();
      expect(nodes).toHaveLength(3);
      for (const node of nodes) expect(await admin.configGet(node, 'maxmemory-policy')).toBe('allkeys-lru');
    } finally {
      await admin.close();
    }
  }, 120_000);
});
