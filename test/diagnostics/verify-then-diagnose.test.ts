import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import type { Report } from '../../src/diagnostics/types.js';
import { captureIo } from '../support/cli-io.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

const HEALTHY_CLUSTER = join(import.meta.dirname, '../fixtures/healthy-cluster/app.yaml');

/** A development environment (expects 3600 s) read from a directory of manifests: no pod logs. */
function writeManifestsSetup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'verify-diagnose-'));
  mkdirSync(join(dir, 'cluster'));
  copyFileSync(HEALTHY_CLUSTER, join(dir, 'cluster/app.yaml'));
  const config = {
    environments: {
      dev: { profile: 'development', redis: { url: sharedRedisUrl() }, kubernetes: { manifests: './cluster' } },
    },
    defaults: { rateWindowMs: 0 },
  };
  writeFileSync(join(dir, 'session-ttl.yaml'), stringify(config));
  return join(dir, 'session-ttl.yaml');
}

/** Sessions as a healthy app writes them: SETEX with the configured TTL, created over the last TTL. */
async function seedHealthy(redis: Redis, n: number, ttl: number): Promise<void> {
  const nowSec = Math.floor(Date.now() / 1000);
  const p = redis.pipeline();
  for (let i = 0; i < n; i++) {
    const age = Math.floor((i / n) * ttl * 0.9);
    p.set(`session:s${i}`, JSON.stringify({ user_id: `u${i}`, created_at: nowSec - age }), 'EX', ttl - age);
  }
  await p.exec();
}

let redis: Redis;
beforeEach(async () => {
  redis = await resetSharedRedis();
});
afterEach(() => {
  redis.disconnect();
});

describe('verify, then diagnose, in manifests mode (issue 18 item 7)', () => {
  it('keeps the report complete: deletions is skipped with its reason and the DEL/expired counts decide', async () => {
    // Given a healthy store and a manifests source (no pod logs), after the bot's own canary verify
    await seedHealthy(redis, 300, 3600);
    const config = writeManifestsSetup();
    const verify = captureIo();
    expect(await runCli(['verify', 'dev', '--config', config, '--wait', '1'], verify)).toBe(0);
    // The canary was removed, and not by a DEL the deletion counters would take for the app's.
    expect(await redis.keys('session:ttl-canary-*')).toEqual([]);
    expect((await redis.info('commandstats')).match(/cmdstat_(del|unlink):calls=(\d+)/)).toBeNull();

    // When diagnosing
    const io = captureIo();
    const code = await runCli(['diagnose', 'dev', '--config', config, '--json'], io);
    const report = JSON.parse(io.out()) as Report;

    // Then the report is complete: no check failed, deletions is skipped and says why
    expect(report.checks.filter((c) => c.status === 'error')).toEqual([]);
    const deletions = report.checks.find((c) => c.id === 'deletions');
    expect(deletions?.status).toBe('skipped');
    expect(deletions?.message).toMatch(/^no app log lines to search; deletion-counters judges Scenario 4 .*manifests/);
    // And the DEL/UNLINK-vs-expired comparison ran and decided alone: the canary's DEL raised nothing
    expect(report.checks.find((c) => c.id === 'deletion-counters')?.status).toBe('ok');
    expect(report.findings.filter((f) => f.id.startsWith('deletion.'))).toEqual([]);
    expect(report.scenarios.find((s) => s.scenario === 4)).toMatchObject({ likelihood: 'ruled_out' });
    expect(code).toBe(0);

    // And the terminal report is not INCOMPLETE and names deletions as skipped with the reason
    const text = captureIo();
    expect(await runCli(['diagnose', 'dev', '--config', config], text)).toBe(0);
    expect(text.out().split('\n')[0]).not.toContain('INCOMPLETE');
    expect(text.out()).toMatch(
      /^– deletions skipped \d+ ms \(no app log lines to search; deletion-counters judges Scenario 4/m,
    );
  });
});
