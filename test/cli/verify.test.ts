import { captureIo } from '../support/cli-io.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import type { VerifyResult } from '../../src/verify/verify-result.js';
import { startFakeAppApi, type FakeAppApi } from '../fakes/app-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { scanKeys } from '../verify/verify-env.js';

const TOKEN = 'cli-app-token-4b1d';

/** A config file with `dev` (canary mode, expects 60 s) and `app` (app mode through the fake app API). */
function writeConfig(appBaseUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
  const path = join(dir, 'session-ttl.yaml');
  writeFileSync(
    path,
    stringify({
      environments: {
        dev: {
          profile: 'development',
          expectedTtlSeconds: 60,
          redis: { url: sharedRedisUrl() },
          verify: { waitSeconds: 600 },
        },
        app: {
          profile: 'development',
          expectedTtlSeconds: 60,
          redis: { url: sharedRedisUrl() },
          app: { baseUrl: appBaseUrl, tokenEnv: 'APP_TOKEN' },
        },
      },
    }),
  );
  return path;
}

let redis: Redis;
let app: FakeAppApi;
let config: string;

beforeAll(async () => {
  redis = await resetSharedRedis();
  app = await startFakeAppApi({ redisUrl: sharedRedisUrl(), ttlSeconds: 60, sliding: true, token: TOKEN });
  config = writeConfig(app.baseUrl);
});
afterAll(async () => {
  await app?.close();
  redis?.disconnect();
});
beforeEach(async () => {
  await redis.flushall();
  app.reset();
});

describe('session-ttl verify', () => {
  it('passes on a healthy store with --wait overriding the configured 600 s, prints progress and the numbers, exits 0', async () => {
    const io = captureIo();
    const code = await runCli(['verify', 'dev', '--config', config, '--wait', '1'], io);
    expect(code).toBe(0);
    expect(io.err()).toMatch(
      /^Verifying dev: writing a canary session key …\nVerifying dev: canary written, TTL 60 s, checking again in 1 s …\n$/,
    );
    expect(io.out()).toMatch(/^Session TTL verification: dev {2}PASS/);
    expect(io.out()).toMatch(/Initial TTL +60 s/);
    // What Redis reports after the time that really passed (a loaded machine stretches the 1 s asked for):
    // the two add up to about the initial 60 s; a refreshed TTL would add up to more than 61 s.
    const [, ttlAfter, waited] = /TTL after wait +(\d+) s after (\d+(?:\.\d)?) s/.exec(io.out()) ?? [];
    expect(Number(waited)).toBeGreaterThanOrEqual(1);
    expect(Number(ttlAfter) + Number(waited)).toBeGreaterThanOrEqual(57.5);
    expect(Number(ttlAfter) + Number(waited)).toBeLessThanOrEqual(60.5);
    expect(io.out()).toMatch(/note: The sliding window was not tested/);
    expect(await scanKeys(redis, 'session:ttl-canary-*')).toEqual([]);
  });

  it('prints exactly the VerifyResult with --json (app mode), and exits 1 when the TTL does not refresh', async () => {
    app.setBrokenRefresh(true);
    const io = captureIo({ APP_TOKEN: TOKEN });
    const code = await runCli(['verify', 'app', '--config', config, '--wait', '1', '--json'], io);
    expect(code).toBe(1);
    const result = JSON.parse(io.out()) as VerifyResult;
    expect(result).toMatchObject({
      environment: 'app',
      mode: 'app',
      verdict: 'fail',
      slidingWindowTested: true,
      waitSeconds: 1,
    });
    expect(result.reasons[0]).toMatch(/^TTL did not refresh on access: 5\d s before, 5\d s after GET/);
    expect(result.cleanup).toEqual({ status: 'removed', appDelete: 'ok' });
    expect(await scanKeys(redis, 'session:*')).toEqual([]);
  });

  it('exits 2 with a clear message when the app API refuses the token, leaving nothing behind and not printing the token', async () => {
    const io = captureIo({ APP_TOKEN: 'not-the-token-9z' });
    const code = await runCli(['verify', 'app', '--config', config, '--wait', '1'], io);
    expect(code).toBe(2);
    expect(io.out()).toContain('ERROR');
    expect(io.out()).toContain('The app API refused the token in APP_TOKEN with HTTP 401');
    expect(io.out()).toMatch(/Cleanup +no test session was written/);
    expect(io.out() + io.err()).not.toContain('not-the-token-9z');
    expect(await redis.dbsize()).toBe(0);
  });

  it('exits 2 on usage and configuration errors, and writes nothing', async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['verify'], {}, /verify needs an environment name/],
      [['verify', 'dev', 'extra', '--config', config], {}, /unexpected argument "extra"/],
      [
        ['verify', 'dev', '--config', config, '--wait', 'soon'],
        {},
        /--wait must be a number of seconds from 0\.1 to 3600, got "soon"/,
      ],
      [['verify', 'dev', '--config', config, '--wait', '0'], {}, /--wait must be/],
      [['verify', 'staging', '--config', config], {}, /Unknown environment "staging"\. Valid environments: dev, app\./],
      [['verify', 'app', '--config', config], {}, /The app API token env var APP_TOKEN .* is not set/],
    ];
    for (const [argv, env, message] of cases) {
      const io = captureIo(env);
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.out()).toBe('');
    }
    expect(await redis.dbsize()).toBe(0);
    expect(app.requests).toEqual([]);
  });

  it('lists verify in the usage', async () => {
    const io = captureIo();
    expect(await runCli(['help'], io)).toBe(0);
    expect(io.out()).toContain('session-ttl verify <env> [--config FILE] [--wait SECONDS] [--json]');
  });
});
