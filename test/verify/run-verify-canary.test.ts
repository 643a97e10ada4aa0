import type { Redis } from 'ioredis';
import { Redis as IoRedis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { openCanaryRedis } from '../../src/adapters/redis/canary-redis.js';
import { planVerify as planWith, type PlanVerifyOptions } from '../../src/verify/plan-verify.js';

/** verify's plan with the real canary adapter unless a test gives its own. */
const planVerify = (o: Omit<PlanVerifyOptions, 'openRedis'> & Partial<Pick<PlanVerifyOptions, 'openRedis'>>) =>
  planWith({ openRedis: openCanaryRedis, ...o });
import { INTERRUPTED_REASON, runVerify } from '../../src/verify/run-verify.js';
import type { VerifyProgress, VerifyResult } from '../../src/verify/verify-result.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { scanKeys, verifyConfig, type VerifyEnvOptions } from './verify-env.js';

let redis: Redis;

beforeEach(async () => {
  redis = await resetSharedRedis();
});
afterEach(() => {
  redis.disconnect();
});

/** Runs `verify dev` in canary mode for real (real Redis, real clock, real sleep). */
async function verify(
  opts: Partial<VerifyEnvOptions> = {},
  onWaiting?: (canaryKey: string) => Promise<void>,
  processEnv: NodeJS.ProcessEnv = {},
): Promise<{ result: VerifyResult; progress: VerifyProgress[] }> {
  const config = verifyConfig({ redisUrl: sharedRedisUrl(), ...opts });
  const plan = planVerify({ config, envName: 'dev', processEnv });
  const progress: VerifyProgress[] = [];
  try {
    const result = await runVerify(plan, {
      onProgress: async (p) => {
        progress.push(p);
        if (p.phase === 'waiting' && onWaiting) {
          const [key] = await scanKeys(redis, 'session:ttl-canary-*');
          await onWaiting(key as string);
        }
      },
    });
    return { result, progress };
  } finally {
    await plan.close();
  }
}

describe('verify in canary mode (no app API configured)', () => {
  it('passes on a healthy store: the TTL decays at clock rate, the canary stays, and it is removed afterwards', async () => {
    let duringWait: { keys: string[]; ttl: number } | undefined;
    const { result, progress } = await verify({}, async (key) => {
      duringWait = { keys: await scanKeys(redis, 'session:ttl-canary-*'), ttl: await redis.ttl(key) };
    });

    expect(result.verdict).toBe('pass');
    expect(result.reasons).toEqual([]);
    expect(result.mode).toBe('canary');
    // The canary existed during the wait, with the expected TTL.
    expect(duringWait?.keys).toHaveLength(1);
    expect(duringWait?.keys[0]).toMatch(/^session:ttl-canary-[0-9a-f]{16}$/);
    expect(duringWait?.ttl).toBeGreaterThan(55);
    expect(duringWait?.ttl).toBeLessThanOrEqual(60);
    expect(result.key).toBe(duringWait?.keys[0]);
    // Real numbers: written with 60 s, ~0.5 s of real decay.
    const m = result.measurements;
    expect(m.initialTtlSeconds).toBeGreaterThan(59);
    expect(m.initialTtlSeconds).toBeLessThanOrEqual(60);
    expect(m.elapsedSeconds).toBeGreaterThanOrEqual(0.45);
    expect(m.ttlAfterWaitSeconds).toBeLessThan(m.initialTtlSeconds as number);
    expect(Math.abs(m.driftSeconds as number)).toBeLessThan(0.5);
    expect(m.evictedKeysDelta).toBe(0);
    expect(m.refreshedTtlSeconds).toBeUndefined();
    expect(result.slidingWindowTested).toBe(false);
    expect(result.notes.join(' ')).toMatch(/sliding window was not tested/);
    expect(progress.map((p) => p.phase)).toEqual(['writing', 'waiting']);
    // Cleaned up.
    expect(result.cleanup).toEqual({ status: 'removed' });
    expect(await scanKeys(redis, 'session:ttl-canary-*')).toEqual([]);
  });

  it('uses the key prefix of the environment', async () => {
    let seen: string[] = [];
    const { result } = await verify({ keyPattern: 'app1:sess:*' }, async () => {
      seen = await scanKeys(redis, 'app1:sess:ttl-canary-*');
    });
    expect(result.verdict).toBe('pass');
    expect(seen).toHaveLength(1);
    expect(await redis.dbsize()).toBe(0);
  });

  it('fails with "deleted" when another client deletes the canary during the wait', async () => {
    // Given: a concurrent client that DELs the canary while the verification waits.
    const other = new IoRedis(sharedRedisUrl());
    try {
      const { result } = await verify({}, async (key) => {
        expect(await other.del(key)).toBe(1);
      });
      expect(result.verdict).toBe('fail');
      expect(result.reasons).toHaveLength(1);
      expect(result.reasons[0]).toMatch(
        /^canary disappeared after \d\.\d s with \d+ s of TTL left while Redis evicted nothing: something deleted it \(runbook Scenario 4\)$/,
      );
      expect(result.measurements.evictedKeysDelta).toBe(0);
      expect(result.cleanup.status).toBe('removed');
      expect(await scanKeys(redis, 'session:ttl-canary-*')).toEqual([]);
    } finally {
      other.disconnect();
    }
  });

  it('fails with "faster than the clock" when something shortens the TTL during the wait', async () => {
    const { result } = await verify({}, async (key) => {
      await redis.expire(key, 20);
    });
    expect(result.verdict).toBe('fail');
    expect(result.reasons[0]).toMatch(/^TTL decays \d+x faster than the clock: it fell 4\d s in 0\.\d s/);
    expect(result.measurements.driftSeconds).toBeGreaterThan(35);
    expect(await scanKeys(redis, 'session:ttl-canary-*')).toEqual([]);
  });

  it('fails when something refreshes the canary that nobody accessed', async () => {
    const { result } = await verify({}, async (key) => {
      await redis.expire(key, 90);
    });
    expect(result.verdict).toBe('fail');
    expect(result.reasons[0]).toMatch(
      /^TTL went up from 60 s to (89|90) s during the wait although nothing accessed it/,
    );
    expect(await scanKeys(redis, 'session:ttl-canary-*')).toEqual([]);
  });

  it('fails when the canary loses its TTL (rewritten with SET and no EX)', async () => {
    const { result } = await verify({}, async (key) => {
      await redis.set(key, 'overwritten');
    });
    expect(result.verdict).toBe('fail');
    expect(result.reasons[0]).toMatch(/^canary lost its TTL during the wait \(PTTL -1\)/);
    expect(await scanKeys(redis, 'session:ttl-canary-*')).toEqual([]);
  });

  it('stops at once when aborted during the wait: verdict error, no second reading, the canary removed', async () => {
    // Given: a 30 s wait that only the abort can cut short.
    const config = verifyConfig({ redisUrl: sharedRedisUrl(), waitSeconds: 30 });
    const plan = planVerify({ config, envName: 'dev', processEnv: {} });
    const abort = new AbortController();
    const startedAt = Date.now();
    // When: the process stops while the run waits.
    const result = await runVerify(plan, {
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase === 'waiting') abort.abort();
      },
    });
    await plan.close();

    // Then: no second reading, the run says why it ended, and nothing is left behind.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(result.verdict).toBe('error');
    expect(result.reasons).toEqual([INTERRUPTED_REASON]);
    expect(result.measurements.initialTtlSeconds).toBeGreaterThan(59);
    expect(result.measurements.ttlAfterWaitSeconds).toBeUndefined();
    expect(result.cleanup).toEqual({ status: 'removed' });
    expect(await scanKeys(redis, 'session:ttl-canary-*')).toEqual([]);
  });

  it('writes and removes the canary but reads nothing when the signal had aborted before the run', async () => {
    const plan = planVerify({ config: verifyConfig({ redisUrl: sharedRedisUrl() }), envName: 'dev', processEnv: {} });
    const result = await runVerify(plan, { signal: AbortSignal.abort() });
    await plan.close();
    expect(result.verdict).toBe('error');
    expect(result.reasons).toEqual([INTERRUPTED_REASON]);
    expect(result.measurements.initialTtlSeconds).toBeUndefined();
    expect(result.cleanup).toEqual({ status: 'removed' });
    expect(await scanKeys(redis, 'session:ttl-canary-*')).toEqual([]);
  });

  it('refuses an unknown environment and an unset password env var before writing anything', async () => {
    const config = verifyConfig({ redisUrl: sharedRedisUrl(), redisExtra: { passwordEnv: 'DEV_REDIS_PASSWORD' } });
    expect(() => planVerify({ config, envName: 'staging', processEnv: {} })).toThrow(UserError);
    expect(() => planVerify({ config, envName: 'staging', processEnv: {} })).toThrow(
      'Unknown environment "staging". Valid environments: dev, prod.',
    );
    expect(() => planVerify({ config, envName: 'dev', processEnv: {} })).toThrow(/DEV_REDIS_PASSWORD .* is not set/);
    expect(await redis.dbsize()).toBe(0);
  });
});

describe('verify in canary mode against a private redis-server', () => {
  let server: RedisServerHandle;
  let admin: Redis;

  beforeAll(async () => {
    server = await startRedisServer([
      '--maxmemory',
      '4mb',
      '--maxmemory-policy',
      'allkeys-lru',
      '--maxmemory-samples',
      '10',
    ]);
    admin = new IoRedis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('fails with "evicted" when memory pressure evicts the canary during the wait (allkeys-lru)', async () => {
    // Given: a writer that fills memory during the wait until Redis evicts the canary.
    const config = verifyConfig({ redisUrl: server.url });
    const plan = planVerify({ config, envName: 'dev', processEnv: {} });
    let filled = 0;
    const result = await runVerify(plan, {
      onProgress: async (p) => {
        if (p.phase !== 'waiting') return;
        const [key] = await scanKeys(admin, 'session:ttl-canary-*');
        const chunk = 'x'.repeat(64 * 1024);
        while ((await admin.exists(key as string)) && filled < 1000) {
          const pipe = admin.pipeline();
          for (let i = 0; i < 8; i++) pipe.set(`filler:${filled++}`, chunk);
          await pipe.exec();
        }
      },
    });
    await plan.close();

    // Then: (the time is however long the filler took: "0.6 s", or "1 s" on a loaded machine)
    expect(result.verdict).toBe('fail');
    expect(result.reasons[0]).toMatch(
      /^canary evicted after [\d,]+(?:\.\d)? s with [\d,]+ s of TTL left \(evicted_keys \+\d+ during the run\): Redis evicts keys under memory pressure \(runbook Scenario 1\)$/,
    );
    expect(result.measurements.evictedKeysDelta).toBeGreaterThan(0);
    expect(await scanKeys(admin, 'session:ttl-canary-*')).toEqual([]);
    await admin.flushall();
  });

  it('ends with "error" and still removes the canary when Redis refuses a command mid-run', async () => {
    // Given: the bot's Redis user loses PTTL during the wait (an ACL change), but may still DEL.
    await admin.acl('SETUSER', 'verifier', 'on', '>s3cret-pass', '~*', '+@all');
    const config = verifyConfig({ redisUrl: server.url, redisExtra: { usernameEnv: 'R_USER', passwordEnv: 'R_PASS' } });
    const plan = planVerify({ config, envName: 'dev', processEnv: { R_USER: 'verifier', R_PASS: 's3cret-pass' } });
    const result = await runVerify(plan, {
      onProgress: async (p) => {
        if (p.phase === 'waiting') await admin.acl('SETUSER', 'verifier', '-pttl');
      },
    });
    await plan.close();

    expect(result.verdict).toBe('error');
    expect(result.reasons[0]).toMatch(/^Redis at 127\.0\.0\.1:\d+ denied PTTL to user "verifier" \(ACL, NOPERM\)\.$/);
    expect(JSON.stringify(result)).not.toContain('s3cret-pass');
    expect(result.cleanup.status).toBe('removed');
    expect(await scanKeys(admin, 'session:ttl-canary-*')).toEqual([]);
    await admin.acl('DELUSER', 'verifier');
  });

  it('ends with "error" and writes nothing when the store is full and refuses writes (noeviction)', async () => {
    // Full for sure: maxmemory set 1 MB under what is used, so that freeing a client buffer (which Redis does
    // on its own schedule) cannot make room for the canary's SET.
    const [, maxmemory] = (await admin.config('GET', 'maxmemory')) as [string, string];
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    for (let i = 0; i < 32; i++) await admin.set(`filler:${i}`, 'x'.repeat(64 * 1024));
    const used = Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))![1]);
    expect(used).toBeGreaterThan(2 * 1024 * 1024);
    await admin.config('SET', 'maxmemory', String(used - 1024 * 1024));
    const plan = planVerify({ config: verifyConfig({ redisUrl: server.url }), envName: 'dev', processEnv: {} });
    const result = await runVerify(plan);
    await plan.close();
    expect(result.verdict).toBe('error');
    expect(result.reasons[0]).toMatch(/OOM command not allowed/);
    expect(result.cleanup.status).toBe('removed');
    expect(await scanKeys(admin, 'session:ttl-canary-*')).toEqual([]);
    await admin.config('SET', 'maxmemory', maxmemory);
    await admin.flushall();
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
  });

  it('ends with "error" when Redis is down, without waiting', async () => {
    const down = await startRedisServer();
    await down.stop();
    const plan = planVerify({
      config: verifyConfig({ redisUrl: down.url, redisExtra: { connectTimeoutMs: 300 } }),
      envName: 'dev',
      processEnv: {},
    });
    const progress: string[] = [];
    const result = await runVerify(plan, { onProgress: (p) => void progress.push(p.phase) });
    await plan.close();
    expect(result.verdict).toBe('error');
    expect(result.reasons[0]).toMatch(/^Redis at 127\.0\.0\.1:\d+ is unreachable/);
    expect(progress).toEqual(['writing']);
    expect(result.measurements).toEqual({});
    expect(result.cleanup.status).toBe('failed');
    expect(result.cleanup.error).toMatch(
      /^The write of session:ttl-canary-[0-9a-f]{16} failed, so it is most likely not there, but its absence could not be confirmed: Redis at 127\.0\.0\.1:\d+ is unreachable/,
    );
  });
});
