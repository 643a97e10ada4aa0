// Sentinels with their own password (requirepass): the bot reads it from the env var redis.sentinel.passwordEnv
// names, for its own sentinel queries and for ioredis' Sentinel connections (verify's canary); a wrong one is
// named as such, and the password appears in no output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCanaryRedis } from '../../src/adapters/redis/canary-redis.js';
import { loadConfigFile } from '../../src/config/config.js';
import { diagnoseJson, nodeClient, writeConfig } from '../cluster/cluster-env.js';
import { startRedisSentinel, type RedisSentinelHandle } from '../support/redis-sentinel.js';

const PASSWORD = 'sentinel-secret-3f9a';
let set: RedisSentinelHandle;
let config: string;

beforeAll(async () => {
  set = await startRedisSentinel({ sentinelPassword: PASSWORD });
  const sentinel = { masterName: set.masterName, nodes: set.sentinelNodes, passwordEnv: 'SENTINEL_PW' };
  config = writeConfig({ auth: { profile: 'development', redis: { sentinel } } });
}, 60_000);

afterAll(async () => {
  await set?.stop();
});

describe('sentinels with a password', () => {
  it('diagnoses with the password from the env var, and names the master', async () => {
    const { report, err } = await diagnoseJson(config, 'auth', [], { SENTINEL_PW: PASSWORD });
    expect(err).toBe('');
    expect(report.findings.find((f) => f.id === 'sentinel.topology')?.title).toContain(
      `is 127.0.0.1:${set.primary.port}`,
    );
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
  });

  it('a wrong password is named as refused credentials, without the password', async () => {
    const { report, err } = await diagnoseJson(config, 'auth', [], { SENTINEL_PW: `${PASSWORD}-wrong` });
    const message = report.checks.find((c) => c.id === 'sentinel')?.message ?? '';
    expect(message).toContain('refused the credentials (redis.sentinel.usernameEnv / passwordEnv)');
    expect(JSON.stringify(report) + err).not.toContain(PASSWORD);
  });

  it("verify's canary reaches the master through ioredis' Sentinel connection with the password", async () => {
    const env = loadConfigFile(config).environments.auth!;
    const canary = openCanaryRedis(env, { SENTINEL_PW: PASSWORD });
    const primary = nodeClient(set.primary.port);
    try {
      await canary.setEx('session:ttl-canary-auth', 'v', 60);
      expect(await primary.exists('session:ttl-canary-auth')).toBe(1);
    } finally {
      await canary.close();
      primary.disconnect();
    }
  });
});
