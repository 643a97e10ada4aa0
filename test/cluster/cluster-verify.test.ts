import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '../../src/adapters/redis/key-slot.js';
import { openCanaryRedis } from '../../src/adapters/redis/canary-redis.js';
import { runCli } from '../../src/cli/run-cli.js';
import { parseConfig } from '../../src/config/config.js';
import { freePort } from '../../src/demo/redis-process.js';
import { planVerify } from '../../src/verify/plan-verify.js';
import { runVerify } from '../../src/verify/run-verify.js';
import { captureIo } from '../support/cli-io.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { diagnoseJson, nodeClient, ownerPort, writeConfig } from './cluster-env.js';

// One 3-master cluster for the file: verify writes its canary through the cluster client, and a cluster
// that cannot be used says why, for diagnose and verify alike.

let cluster: RedisClusterHandle;
let config: string;

/** `cmdstat_<command>` calls on one node. */
async function calls(port: number, command: string): Promise<number> {
  const c = nodeClient(port);
  try {
    return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await c.info('commandstats'))?.[1] ?? 0);
  } finally {
    c.disconnect();
  }
}

async function verifyCli(env: string, processEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  const io = captureIo(processEnv);
  const code = await runCli(['verify', env, '--config', config, '--wait', '1'], io);
  return { code, out: io.out() + io.err() };
}

/** The messages of the checks that failed, one per distinct text. */
const failures = (r: { checks: { status: string; message?: string }[] }) => [
  ...new Set(r.checks.filter((c) => c.status === 'error').map((c) => c.message)),
];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  const dead = await freePort();
  config = writeConfig({
    cl: { profile: 'development', expectedTtlSeconds: 600, redis: { url: cluster.url, cluster: true } },
    // Seeds: the first a closed port, the second a live master: the bot finds the cluster through it.
    seeds: {
      profile: 'development',
      expectedTtlSeconds: 600,
      redis: { url: `redis://127.0.0.1:${dead}`, cluster: true, nodes: [`127.0.0.1:${cluster.masters[1]!.port}`] },
    },
    standalone: { profile: 'development', redis: { url: sharedRedisUrl(), cluster: true } },
    down: { profile: 'development', redis: { url: `redis://127.0.0.1:${dead}`, cluster: true, connectTimeoutMs: 500 } },
    pw: {
      profile: 'development',
      expectedTtlSeconds: 600,
      redis: { url: cluster.url, cluster: true, passwordEnv: 'CLUSTER_PW' },
    },
  });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('verify on a Redis Cluster', () => {
  it('the CLI verify passes: the canary is written, decays and is removed through the cluster', async () => {
    const before = await Promise.all(cluster.masters.map((m) => calls(m.port, 'set')));

    const { code, out } = await verifyCli('cl');

    expect(out).toContain('PASS');
    expect(code).toBe(0);
    expect(out).toMatch(/canary session:ttl-canary-[0-9a-f]{16} removed/);
    const after = await Promise.all(cluster.masters.map((m) => calls(m.port, 'set')));
    // One SET in all, on one master: the one serving the canary's slot.
    expect(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("a canary whose slot lives on another master than the seed is written on that slot's master", async () => {
    // Given: a canary suffix whose key hashes to a slot of the third master (the seed is the first)
    const target = cluster.masters[2]!.port;
    let hex = '';
    for (let i = 0; ; i++) {
      hex = i.toString(16).padStart(16, '0');
      if ((await ownerPort(cluster.masters[0]!.port, keySlot(`session:ttl-canary-${hex}`))) === target) break;
    }
    const cfg = parseConfig(
      {
        environments: {
          cl: { profile: 'development', expectedTtlSeconds: 600, redis: { url: cluster.url, cluster: true } },
        },
      },
      'test',
    );
    const [setBefore, removeBefore, seedSetBefore] = await Promise.all([
      calls(target, 'set'),
      calls(target, 'pexpireat'),
      calls(cluster.masters[0]!.port, 'set'),
    ]);

    // When
    const plan = planVerify({ config: cfg, envName: 'cl', processEnv: {}, waitSeconds: 1, openRedis: openCanaryRedis });
    const result = await runVerify(plan, { randomHex: () => hex }).finally(() => plan.close());

    // Then
    expect(result.verdict).toBe('pass');
    expect(await calls(target, 'set')).toBe(setBefore + 1);
    // Removed on the slot's master too (PEXPIREAT in the past: no DEL for the deletion counters).
    expect(await calls(target, 'pexpireat')).toBe(removeBefore + 1);
    expect(await calls(cluster.masters[0]!.port, 'set')).toBe(seedSetBefore);
    expect(result.measurements.evictedKeysDelta).toBe(0);
  });

  it('a dead first seed: the bot reaches the cluster through the next one in redis.nodes', async () => {
    const { code, out } = await verifyCli('seeds');
    expect(out).toContain('PASS');
    expect(code).toBe(0);
  });
});

describe('a cluster that cannot be used says why', () => {
  it('redis.cluster on a standalone Redis: not a cluster node', async () => {
    const { report } = await diagnoseJson(config, 'standalone');
    const message =
      /Redis at 127\.0\.0\.1:\d+ is not a Redis Cluster node \(cluster support disabled\), but redis\.cluster is true for this environment: remove redis\.cluster/;
    expect(failures(report)).toEqual([expect.stringMatching(message)]);
    const { code, out } = await verifyCli('standalone');
    expect(code).toBe(2);
    expect(out).toMatch(message);
  });

  it('every seed down: none of the seed nodes answered, naming them', async () => {
    const { report } = await diagnoseJson(config, 'down');
    const message =
      /None of the Redis Cluster seed nodes \(127\.0\.0\.1:\d+\) answered.*check redis\.url and redis\.nodes/;
    expect(failures(report)).toEqual([expect.stringMatching(message)]);
    const { code, out } = await verifyCli('down');
    expect(code).toBe(2);
    expect(out).toMatch(message);
  });

  it('a wrong password: WRONGPASS, pointing at redis.passwordEnv; none at all: NOAUTH', async () => {
    const clients = cluster.nodes.map((n) => nodeClient(n.port));
    await Promise.all(clients.map((c) => c.config('SET', 'requirepass', 'right-password')));
    try {
      const wrong = await diagnoseJson(config, 'pw', [], { CLUSTER_PW: 'wrong-password' });
      expect(failures(wrong.report)).toEqual([
        expect.stringMatching(
          /refused the credentials \(WRONGPASS\): check the password in the env var named by redis\.passwordEnv/,
        ),
      ]);
      const v = await verifyCli('pw', { CLUSTER_PW: 'wrong-password' });
      expect(v.code).toBe(2);
      expect(v.out).toContain('WRONGPASS');
      expect(v.out).not.toContain('wrong-password');

      const none = await diagnoseJson(config, 'cl');
      expect(failures(none.report)).toEqual([
        expect.stringMatching(
          /requires a password \(NOAUTH\) and the bot sent none: name the env var that holds it in redis\.passwordEnv/,
        ),
      ]);

      const right = await verifyCli('pw', { CLUSTER_PW: 'right-password' });
      expect(right.out).toContain('PASS');
    } finally {
      await Promise.all(clients.map((c) => c.config('SET', 'requirepass', '')));
      clients.forEach((c) => c.disconnect());
    }
  });
});
