// Sentinel and TLS together (issue 20): sentinels on a TLS port (`tls-port`, `port 0`) in front of TLS data nodes.
// The bot asks the sentinels over TLS with redis.tls (its own queries, and ioredis' `sentinelTLS`), and reaches the
// master they name over TLS too (ioredis' `enableTLSForSentinelMode`).
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCanaryRedis } from '../../src/adapters/redis/canary-redis.js';
import { sentinelClientOptions, sentinelConnect } from '../../src/adapters/redis/sentinel-options.js';
import { loadConfigFile } from '../../src/config/config.js';
import { diagnoseJson, writeConfig } from '../cluster/cluster-env.js';
import { eventually } from '../support/eventually.js';
import { makeTlsCerts, startTlsRedis, type TlsCerts, type TlsRedisHandle } from '../support/tls-certs.js';
import { startTlsSentinel, type TlsSentinelHandle } from '../support/tls-sentinel.js';

const NAME = 'tlsmaster';
let certs: TlsCerts;
let primary: TlsRedisHandle;
let replica: TlsRedisHandle;
let sentinel: TlsSentinelHandle;
let config: string;

function tlsClient(port: number): Redis {
  const c = new Redis({ host: '127.0.0.1', port, tls: { ca: readFileSync(certs.caFile) }, maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  return c;
}

beforeAll(async () => {
  certs = makeTlsCerts();
  // A replica's full sync writes an RDB file in its working directory: the certificates' one, not the checkout.
  const dir = ['--dir', certs.dir];
  primary = await startTlsRedis(certs, { extraArgs: [...dir, '--maxmemory-policy', 'volatile-lru'] });
  replica = await startTlsRedis(certs, {
    extraArgs: [...dir, '--replicaof', '127.0.0.1', String(primary.port), '--tls-replication', 'yes'],
  });
  sentinel = await startTlsSentinel(certs, NAME, primary.port);
  const ask = tlsClient(sentinel.port);
  try {
    await eventually(
      'the TLS sentinel to see the replica linked',
      async () => {
        const rows = (await ask.call('SENTINEL', 'replicas', NAME)) as string[][];
        return rows.some((r) => r.join(' ').includes('master-link-status ok'));
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
  } finally {
    ask.disconnect();
  }
  const redis = { sentinel: { masterName: NAME, nodes: [sentinel.address] }, tls: { caFile: certs.caFile } };
  config = writeConfig({ tls: { profile: 'development', redis } });
}, 90_000);

afterAll(async () => {
  await sentinel?.stop();
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

  // Last: it moves the master to the replica.
  it('follows a failover over TLS: after SENTINEL FAILOVER the canary lands on the new master', async () => {
    const env = loadConfigFile(config).environments.tls!;
    const ask = tlsClient(sentinel.port);
    const promoted = tlsClient(replica.port);
    const canary = openCanaryRedis(env, {});
    try {
      await ask.call('SENTINEL', 'FAILOVER', NAME);
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
