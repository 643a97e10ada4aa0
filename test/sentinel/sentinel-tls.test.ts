// Sentinel and TLS together (issue 20): sentinels on a TLS port (`tls-port`, `port 0`) in front of TLS data nodes.
// The bot asks the sentinels over TLS with redis.tls (its own queries, and ioredis' `sentinelTLS`), and reaches the
// master they name over TLS too (ioredis' `enableTLSForSentinelMode`). The session monitor follows a failover
// announced by the TLS sentinels.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCanaryRedis } from '../../src/adapters/redis/canary-redis.js';
import { sentinelClientOptions, sentinelConnect } from '../../src/adapters/redis/sentinel-options.js';
import { loadConfigFile, parseConfig } from '../../src/config/config.js';
import { diagnoseJson, writeConfig } from '../cluster/cluster-env.js';
import { eventually } from '../support/eventually.js';
import { startMonitorHost } from '../support/monitor-host.js';
import { makeTlsCerts, startTlsRedis, type TlsCerts, type TlsRedisHandle } from '../support/tls-certs.js';
import { startTlsSentinel, type TlsSentinelHandle } from '../support/tls-sentinel.js';

const NAME = 'tlsmaster';
let certs: TlsCerts;
let primary: TlsRedisHandle;
let replica: TlsRedisHandle;
let sentinels: TlsSentinelHandle[] = [];
let sentinel: TlsSentinelHandle;
let config: string;
let redis: Record<string, unknown>;
const deadline = { timeout: 20_000, interval: 50 };

function tlsClient(port: number): Redis {
  const c = new Redis({ host: '127.0.0.1', port, tls: { ca: readFileSync(certs.caFile) }, maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  return c;
}

beforeAll(async () => {
  certs = makeTlsCerts();
  // A replica's full sync writes an RDB file in its working directory: the certificates' one, not the checkout.
  // Keyspace notifications on both nodes: the monitor watches the master of the moment.
  const dir = ['--dir', certs.dir, '--notify-keyspace-events', 'KEg$xe'];
  primary = await startTlsRedis(certs, { extraArgs: [...dir, '--maxmemory-policy', 'volatile-lru'] });
  replica = await startTlsRedis(certs, {
    extraArgs: [...dir, '--replicaof', '127.0.0.1', String(primary.port), '--tls-replication', 'yes'],
  });
  // Three sentinels: each announces a failover, and the monitor must still count one gap (issue 20).
  sentinels = await Promise.all([0, 1, 2].map(() => startTlsSentinel(certs, NAME, primary.port)));
  sentinel = sentinels[0]!;
  const asks = sentinels.map((s) => tlsClient(s.port));
  try {
    await eventually(
      'every TLS sentinel to see the replica linked and the two other sentinels',
      async () => {
        const seen = await Promise.all(
          asks.map(async (ask) => {
            const rows = (await ask.call('SENTINEL', 'replicas', NAME)) as string[][];
            const others = (await ask.call('SENTINEL', 'sentinels', NAME)) as unknown[];
            return rows.some((r) => r.join(' ').includes('master-link-status ok')) && others.length === 2;
          }),
        );
        return seen.every(Boolean);
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
  } finally {
    asks.forEach((a) => a.disconnect());
  }
  const nodes = sentinels.map((s) => s.address);
  redis = { sentinel: { masterName: NAME, nodes }, tls: { caFile: certs.caFile } };
  config = writeConfig({ tls: { profile: 'development', redis } });
}, 90_000);

afterAll(async () => {
  await Promise.all(sentinels.map((s) => s.stop()));
  await Promise.all([replica?.stop(), primary?.stop()]);
  certs?.remove();
});

describe('TLS sentinels in front of TLS data nodes', () => {
  it('diagnoses through the sentinels over TLS and names the master and its replica', async () => {
    const { report, err } = await diagnoseJson(config, 'tls');
    expect(err).toBe('');
    expect(report.checks.filter((c) => c.status === 'error')).toEqual([]);
    const topology = report.findings.find((f) => f.id === 'sentinel.topology');
    expect(topology?.title).toContain(`is 127.0.0.1:${primary.port}`);
    expect(JSON.stringify(topology)).toContain(`127.0.0.1:${replica.port}`);
  }, 120_000);

  it("verify's canary reaches the master through ioredis' Sentinel connection, all over TLS", async () => {
    const env = loadConfigFile(config).environments.tls!;
    const canary = openCanaryRedis(env, {});
    const direct = tlsClient(primary.port);
    try {
      await canary.setEx('session:ttl-canary-tls', 'v', 60);
      expect(await direct.exists('session:ttl-canary-tls')).toBe(1);
    } finally {
      await canary.close();
      direct.disconnect();
    }
  }, 60_000);

  // The last two: the first moves the master to the replica, with the monitor watching.
  it('the monitor follows SENTINEL FAILOVER behind TLS sentinels: one gap, the new master watched, no event twice', async () => {
    // Given: the monitor watches the master through the TLS sentinels; three sessions expire there
    const env = { profile: 'development', expectedTtlSeconds: 1, slidingWindow: false };
    const cfg = parseConfig({ environments: { tls: { ...env, redis: { ...redis, connectTimeoutMs: 1000 } } } }, 'test');
    const monitor = await startMonitorHost(cfg, 'tls');
    const [oldMaster, newMaster, ask] = [tlsClient(primary.port), tlsClient(replica.port), tlsClient(sentinel.port)];
    const expired = () => monitor.sample('session_monitor_events_total', { event: 'expired' });
    try {
      await expect.poll(() => monitor.metrics.monitors[0]?.status().state, deadline).toBe('watching');
      for (let i = 0; i < 3; i++) await oldMaster.set(`session:before:${i}`, 'v', 'PX', 800);
      await expect.poll(expired, deadline).toBe(3);
      expect(await monitor.sample('session_monitor_gaps_total')).toBe(0);
      // A session that outlives the failover: set on the old master, it ends on the new one.
      await oldMaster.set('session:across', 'v', 'PX', 6000);
      await expect.poll(() => monitor.sample('session_monitor_events_total', { event: 'set' }), deadline).toBe(4);

      // When: a TLS sentinel fails over to the replica (all three announce +switch-master)
      await ask.call('SENTINEL', 'FAILOVER', NAME);

      // Then: the monitor is back on the new master with one gap counted
      await expect.poll(() => monitor.sample('session_monitor_gaps_total'), deadline).toBe(1);
      expect(await monitor.sample('session_monitor_gap_seconds_total')).toBeGreaterThan(0);
      await expect.poll(() => monitor.metrics.monitors[0]?.status().state, deadline).toBe('watching');
      expect(((await newMaster.call('ROLE')) as unknown[])[0]).toBe('master');
      // And: sessions on the new master expire in view; the one across the failover ends once (3 + 1 + 3)
      for (let i = 0; i < 3; i++) await newMaster.set(`session:after:${i}`, 'v', 'PX', 800);
      await expect.poll(expired, deadline).toBe(7);
      await expect.poll(() => monitor.sample('session_actual_lifetime_seconds_count'), deadline).toBe(7);
      expect(await expired()).toBe(7);
      expect(await monitor.sample('session_ttl_violations_total', { reason: 'deleted' })).toBe(0);
      expect(await monitor.sample('session_monitor_gaps_total')).toBe(1);
    } finally {
      await monitor.stop();
      [oldMaster, newMaster, ask].forEach((c) => c.disconnect());
    }
  }, 60_000);

  it('after the failover over TLS: the sentinel names the replica, the canary lands on it, diagnose follows', async () => {
    const env = loadConfigFile(config).environments.tls!;
    const ask = tlsClient(sentinel.port);
    const promoted = tlsClient(replica.port);
    const canary = openCanaryRedis(env, {});
    try {
      await eventually(
        'the TLS sentinel to name the replica as master',
        async () => {
          const [, masterPort] = (await ask.call('SENTINEL', 'get-master-addr-by-name', NAME)) as string[];
          const role = (await promoted.call('ROLE')) as unknown[];
          return Number(masterPort) === replica.port && role[0] === 'master';
        },
        { timeoutMs: 40_000, intervalMs: 200 },
      );
      await canary.setEx('session:ttl-canary-after-failover', 'v', 60);
      expect(await promoted.exists('session:ttl-canary-after-failover')).toBe(1);
      const { report, err } = await diagnoseJson(config, 'tls');
      expect(err).toBe('');
      expect(report.findings.find((f) => f.id === 'sentinel.topology')?.title).toContain(
        `is 127.0.0.1:${replica.port}`,
      );
    } finally {
      await canary.close();
      promoted.disconnect();
      ask.disconnect();
    }
  }, 120_000);

  it('redis.sentinel.tls: false leaves the sentinels on plain TCP while the master stays on TLS', () => {
    const env = loadConfigFile(config).environments.tls!;
    const plain = { ...env, redis: { ...env.redis, sentinel: { ...env.redis.sentinel!, tls: false } } };
    const s = sentinelConnect(plain, {});
    expect(s?.tls).toBeUndefined();
    const options = sentinelClientOptions(s, {});
    expect(options.sentinelTLS).toBeUndefined();
    expect(options.enableTLSForSentinelMode).toBe(true);
  });
});
