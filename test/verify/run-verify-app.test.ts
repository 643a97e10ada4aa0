import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openCanaryRedis } from '../../src/adapters/redis/canary-redis.js';
import { planVerify as planWith, type PlanVerifyOptions } from '../../src/verify/plan-verify.js';

/** verify's plan with the real canary adapter unless a test gives its own. */
const planVerify = (o: Omit<PlanVerifyOptions, 'openRedis'> & Partial<Pick<PlanVerifyOptions, 'openRedis'>>) =>
  planWith({ openRedis: openCanaryRedis, ...o });
import { CANARY_USER_ID, runVerify } from '../../src/verify/run-verify.js';
import type { VerifyResult } from '../../src/verify/verify-result.js';
import { startFakeAppApi, type FakeAppApi } from '../fakes/app-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { scanKeys, verifyConfig, type VerifyEnvOptions } from './verify-env.js';

const TOKEN = 'app-token-7f3a9c2e1b';
let redis: Redis;
let app: FakeAppApi;

beforeAll(async () => {
  redis = await resetSharedRedis();
  app = await startFakeAppApi({ redisUrl: sharedRedisUrl(), ttlSeconds: 60, sliding: true, token: TOKEN });
});
afterAll(async () => {
  await app?.close();
  redis?.disconnect();
});
beforeEach(async () => {
  await redis.flushall();
  app.reset();
});

async function verify(
  opts: Partial<VerifyEnvOptions> = {},
  processEnv: NodeJS.ProcessEnv = { APP_TOKEN: TOKEN },
): Promise<VerifyResult> {
  const config = verifyConfig({ redisUrl: sharedRedisUrl(), appBaseUrl: app.baseUrl, tokenEnv: 'APP_TOKEN', ...opts });
  const plan = planVerify({ config, envName: 'dev', processEnv });
  try {
    return await runVerify(plan);
  } finally {
    await plan.close();
  }
}

/** The session the app created during the run, and that it is gone from Redis. */
async function expectNoLeftover(): Promise<void> {
  expect(await scanKeys(redis, 'session:*')).toEqual([]);
}

describe('verify in app mode (app.baseUrl and app.tokenEnv configured)', () => {
  it('passes when the app writes the configured TTL and refreshes it on access (sliding window on)', async () => {
    const result = await verify();

    expect(result.verdict).toBe('pass');
    expect(result.reasons).toEqual([]);
    expect(result.mode).toBe('app');
    expect(result.slidingWindowTested).toBe(true);
    const m = result.measurements;
    expect(m.initialTtlSeconds).toBeGreaterThan(59);
    expect(m.ttlAfterWaitSeconds).toBeLessThan(m.initialTtlSeconds as number);
    expect(m.refreshedTtlSeconds).toBeGreaterThan(m.ttlAfterWaitSeconds as number);
    expect(m.refreshedTtlSeconds).toBeGreaterThan(59.5);
    // The runbook's sequence: create, (wait), access, and the cleanup's DELETE, all with the token.
    expect(app.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{32}/, ':id')} ${r.status}`)).toEqual([
      'POST /api/sessions 201',
      'GET /api/sessions/:id 200',
      'DELETE /api/sessions/:id 204',
    ]);
    expect(app.requests.every((r) => r.authorized)).toBe(true);
    expect(app.requests[0]?.body).toEqual({ user_id: CANARY_USER_ID });
    // The session id is a credential: only its start is shown.
    const id = app.createdKeys[0]!.slice('session:'.length);
    expect(result.key).toBe(`session:${id.slice(0, 6)}…`);
    expect(JSON.stringify(result)).not.toContain(id);
    expect(result.cleanup).toEqual({ status: 'removed', appDelete: 'ok' });
    await expectNoLeftover();
  });

  it('fails when the TTL does not refresh on access (broken sliding window)', async () => {
    app.setBrokenRefresh(true);
    const result = await verify();
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0]).toMatch(
      // The TTL was 60 s at creation: read a moment later it prints as 60 s or 59 s (rounded), never more.
      /^TTL did not refresh on access: (5\d|60) s before, (5\d|60) s after GET \(the sliding window is on for dev; runbook Scenario 3\)$/,
    );
    expect(result.measurements.refreshedTtlSeconds).toBeLessThanOrEqual(
      result.measurements.ttlAfterWaitSeconds as number,
    );
    await expectNoLeftover();
  });

  it('passes when the sliding window is off and the app does not refresh, and fails when it refreshes anyway', async () => {
    app.setSliding(false);
    const off = await verify({ slidingWindow: false });
    expect(off.verdict).toBe('pass');
    expect(off.slidingWindowTested).toBe(true);

    app.setSliding(true);
    const refreshing = await verify({ slidingWindow: false });
    expect(refreshing.verdict).toBe('fail');
    expect(refreshing.reasons[0]).toMatch(
      /^TTL refreshed on access although the sliding window is off for dev: 5\d s before, 60 s after GET/,
    );
    await expectNoLeftover();
  });

  it('fails when the app writes another TTL than expected', async () => {
    app.setTtlSeconds(30);
    const result = await verify();
    expect(result.verdict).toBe('fail');
    expect(result.reasons[0]).toBe(
      'initial TTL 30 s but expected 60 s: the session was written with another TTL than configured (runbook Scenarios 2 and 6)',
    );
    // The refresh to 30 s is reported too: it does not reach the configured TTL.
    expect(result.reasons[1]).toMatch(/^TTL refreshed on access to 30 s, not to the configured 60 s/);
    await expectNoLeftover();
  });

  it('fails when the session the app created is not where the config says (keyPattern)', async () => {
    const result = await verify({ keyPattern: 'sess:*' });
    expect(result.verdict).toBe('fail');
    expect(result.reasons[0]).toMatch(
      /^the app API created a session, but sess:[0-9a-f]{6}… is not in Redis at 127\.0\.0\.1:\d+: the app writes another key \(check redis\.keyPattern\)/,
    );
    // Removed through the app's DELETE.
    expect(result.cleanup.appDelete).toBe('ok');
    await expectNoLeftover();
  });

  it('ends with "error" and a clear message when the app refuses the token (401); nothing is left', async () => {
    const result = await verify({}, { APP_TOKEN: 'wrong-token-123' });
    expect(result.verdict).toBe('error');
    expect(result.reasons).toEqual([
      `The app API refused the token in APP_TOKEN with HTTP 401 on POST ${app.baseUrl}/api/sessions (creating the test session): set a valid bearer token.`,
    ]);
    expect(result.cleanup).toEqual({ status: 'nothing_written' });
    expect(JSON.stringify(result)).not.toContain('wrong-token-123');
    expect(await redis.dbsize()).toBe(0);
  });

  it('ends with "error" on an app API timeout and still deletes the session', async () => {
    app.hang('GET');
    const result = await verify({ appTimeoutMs: 300 });
    expect(result.verdict).toBe('error');
    expect(result.reasons[0]).toBe(
      `The app API did not answer GET ${app.baseUrl}/api/sessions/{id} within 300 ms (accessing the test session); check app.baseUrl and app.timeoutMs.`,
    );
    expect(result.measurements.ttlAfterWaitSeconds).toBeGreaterThan(0);
    expect(result.cleanup).toEqual({ status: 'removed', appDelete: 'ok' });
    await expectNoLeftover();
  });

  it('refuses to start when the token env var is unset, and writes nothing', async () => {
    const config = verifyConfig({ redisUrl: sharedRedisUrl(), appBaseUrl: app.baseUrl, tokenEnv: 'APP_TOKEN' });
    expect(() => planVerify({ config, envName: 'dev', processEnv: {} })).toThrow(
      'The app API token env var APP_TOKEN (app.tokenEnv of environment "dev") is not set in the bot\'s environment.',
    );
    expect(app.requests).toEqual([]);
  });

  it('falls back to a canary and says so when app.tokenEnv is not configured', async () => {
    const result = await verify({ tokenEnv: undefined });
    expect(result.mode).toBe('canary');
    expect(result.verdict).toBe('pass');
    expect(result.notes[0]).toMatch(/app\.tokenEnv is not/);
    expect(app.requests).toEqual([]);
    await expectNoLeftover();
  });
});
