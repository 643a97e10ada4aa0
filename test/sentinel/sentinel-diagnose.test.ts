import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCanaryRedis } from '../../src/adapters/redis/canary-redis.js';
import { loadConfigFile } from '../../src/config/config.js';
import type { Finding, Report } from '../../src/diagnostics/types.js';
import { diagnoseJson, nodeClient, writeConfig } from '../cluster/cluster-env.js';
import { freePort } from '../support/redis-server.js';
import { startRedisSentinel, type RedisSentinelHandle } from '../support/redis-sentinel.js';

// One primary (volatile-lru), two replicas (one on allkeys-lru, one with a smaller maxmemory) and three
// sentinels for the file. Given/when/then: the set as started, a diagnosis through the CLI, the JSON report.

let set: RedisSentinelHandle;
let config: string;

const byId = (r: Report, id: string): Finding => {
  const f = r.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no ${id} in ${r.findings.map((x) => x.id).join(', ')}; checks: ${JSON.stringify(r.checks)}`);
  return f;
};
const addr = (port: number) => `127.0.0.1:${port}`;

beforeAll(async () => {
  set = await startRedisSentinel({
    primaryArgs: ['--maxmemory', '100mb', '--maxmemory-policy', 'volatile-lru'],
    replicaArgs: [
      ['--maxmemory', '100mb', '--maxmemory-policy', 'allkeys-lru'],
      ['--maxmemory', '50mb', '--maxmemory-policy', 'volatile-lru'],
    ],
  });
  const primary = nodeClient(set.primary.port);
  for (let i = 0; i < 200; i++) await primary.set(`session:${i}`, JSON.stringify({ user_id: i }), 'EX', 3600);
  // The sample is read on a replica (redis.readFrom defaults to replica): both have every key first.
  expect(await primary.call('WAIT', 2, 10_000)).toBe(2);
  primary.disconnect();
  config = writeConfig({
    st: {
      profile: 'development',
      redis: { sentinel: { masterName: set.masterName, nodes: set.sentinelNodes } },
    },
    nopw: {
      profile: 'development',
      redis: { sentinel: { masterName: set.masterName, nodes: set.sentinelNodes, passwordEnv: 'SENTINEL_PW' } },
    },
    down: {
      profile: 'development',
      redis: { sentinel: { masterName: set.masterName, nodes: [addr(await freePort())] } },
    },
  });
}, 60_000);

afterAll(async () => {
  await set?.stop();
});

describe('diagnose behind Redis Sentinel', () => {
  it('names the master the sentinels name, reads the sessions there, and flags the replica on allkeys-lru', async () => {
    const { report, err } = await diagnoseJson(config, 'st');
    expect(err).toBe('');
    const [r0, r1] = set.replicas.map((r) => addr(r.port));

    const topology = byId(report, 'sentinel.topology');
    expect(topology.title).toContain(`is ${addr(set.primary.port)}, with 2 replica(s)`);
    const nodes = (topology.evidence as { nodes: { address: string; role: string; policy: string }[] }).nodes;
    expect(nodes.map((n) => [n.address, n.role, n.policy]).sort()).toEqual(
      [
        [addr(set.primary.port), 'master', 'volatile-lru'],
        [r0, 'replica', 'allkeys-lru'],
        [r1, 'replica', 'volatile-lru'],
      ].sort(),
    );

    const policy = byId(report, 'sentinel.replica_policy');
    expect(policy.severity).toBe('warning');
    expect(policy.evidence).toMatchObject({ affected: [r0], masterPolicy: 'volatile-lru' });
    expect(policy.title).toContain(`${r0} (allkeys-lru)`);

    const drift = byId(report, 'sentinel.replica_drift');
    expect(drift.evidence).toMatchObject({ affected: [r1] });
    expect(drift.title).toContain(`${r1}: maxmemory 52428800 (master: 104857600)`);
    // The master's own policy is fine: no eviction finding on it.
    expect(report.findings.map((f) => f.id)).not.toContain('eviction.allkeys_policy');
    // The sessions were sampled (on a replica: the keys are its copies of the master's).
    expect(byId(report, 'ttl.distribution').evidence).toMatchObject({ sampled: 200 });
  }, 60_000);

  it('says which sentinels it asked when none answers', async () => {
    const { report } = await diagnoseJson(config, 'down');
    const sentinelCheck = report.checks.find((c) => c.id === 'sentinel');
    expect(sentinelCheck?.status).toBe('error');
    expect(sentinelCheck?.message).toMatch(/No sentinel named the master mymaster: 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(report.checks.find((c) => c.id === 'memory')?.message).toContain('No sentinel named the master mymaster');
    expect(report.findings.map((f) => f.id)).not.toContain('sentinel.topology');
  }, 60_000);

  it('refuses to start without the Sentinel password the config names, and says which env var', async () => {
    const { report } = await diagnoseJson(config, 'nopw');
    expect(report.checks.find((c) => c.id === 'memory')?.message).toContain(
      'The Sentinel password env var SENTINEL_PW (redis.sentinel.passwordEnv of environment "nopw") is not set',
    );
  });

  it("verify's canary is written to the master the sentinels name (and replicated from there)", async () => {
    const env = loadConfigFile(config).environments.st!;
    const canary = openCanaryRedis(env, {});
    const primary = nodeClient(set.primary.port);
    const replica = nodeClient(set.replicas[0]!.port);
    try {
      expect(canary.address).toBe('sentinel master mymaster');
      await canary.setEx('session:ttl-canary-sentinel', 'v', 60);
      expect(await primary.pttl('session:ttl-canary-sentinel')).toBeGreaterThan(0);
      await expect.poll(() => replica.exists('session:ttl-canary-sentinel')).toBe(1);
      await canary.remove('session:ttl-canary-sentinel');
      expect(await primary.exists('session:ttl-canary-sentinel')).toBe(0);
    } finally {
      await canary.close();
      primary.disconnect();
      replica.disconnect();
    }
  });
});
