import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import type { Report } from '../../src/diagnostics/types.js';
import { startRedisServer } from '../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { captureIo } from '../support/cli-io.js';

function writeConfig(env: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-incomplete-'));
  writeFileSync(
    join(dir, 'session-ttl.yaml'),
    stringify({ environments: { dev: { profile: 'development', ...env } }, defaults: { rateWindowMs: 0 } }),
  );
  return join(dir, 'session-ttl.yaml');
}

let redis: Redis;
beforeEach(async () => {
  redis = await resetSharedRedis();
});
afterEach(() => {
  redis.disconnect();
});

describe('a diagnosis that could not check everything (issue 10 items 2 and 3)', () => {
  it('exits 3, says INCOMPLETE and names what was not checked before any scenario when the cluster cannot be read', async () => {
    // Given a healthy store, and a Kubernetes source that fails (the manifests directory is missing).
    const p = redis.pipeline();
    for (let i = 0; i < 50; i++) p.set(`session:s${i}`, '{}', 'EX', 3000 + i);
    await p.exec();
    const config = writeConfig({ redis: { url: sharedRedisUrl() }, kubernetes: { manifests: './no-such-dir' } });

    // When diagnosing.
    const io = captureIo();
    const code = await runCli(['diagnose', 'dev', '--config', config], io);

    // Then nothing is critical but the report is incomplete, and it says so first.
    const lines = io.out().split('\n');
    expect(lines[0]).toBe('Session TTL diagnosis: dev  INCOMPLETE');
    expect(lines[2]).toMatch(/^WARNING manifests directory .*no-such-dir does not exist/);
    expect(lines[3]).toMatch(/^ {2}\? Not checked: env-check, .* \(for that reason\)\.$/);
    expect(io.out().indexOf('Not checked')).toBeLessThan(io.out().indexOf('Scenario'));
    expect(code).toBe(3);

    // And --json keeps the report contract, with the same verdict in its exit code.
    const json = captureIo();
    expect(await runCli(['diagnose', 'dev', '--config', config, '--json'], json)).toBe(3);
    const report = JSON.parse(json.out()) as Report;
    expect(report.checks.find((c) => c.id === 'env-check')?.status).toBe('error');
    expect(Object.keys(report).sort()).toEqual([
      'checks',
      'durationMs',
      'environment',
      'findings',
      'scenarios',
      'startedAt',
    ]);

    // And help documents 3 beside 0, 1 and 2.
    const help = captureIo();
    expect(await runCli(['help'], help)).toBe(0);
    expect(help.out()).toMatch(/Exit codes: 0 .*, 1 .*, 2 .*\n.*3 no critical finding but a check failed or timed out/);
  });

  it('leads with the refused connection when Redis is down, not with a scenario, and exits 1', async () => {
    const down = await startRedisServer();
    await down.stop();
    const address = new URL(down.url).host;
    const io = captureIo();
    const code = await runCli(
      ['diagnose', 'dev', '--config', writeConfig({ redis: { url: down.url, connectTimeoutMs: 300 } })],
      io,
    );
    expect(code).toBe(1);
    const [header, , lead, notChecked] = io.out().split('\n');
    expect(header).toBe('Session TTL diagnosis: dev  CRITICAL');
    expect(lead).toBe(`CRITICAL Redis at ${address} is unreachable: it refused the connection (ECONNREFUSED).`);
    expect(notChecked).toMatch(/^ {2}\? Not checked: .*ttl-sample.* \(for that reason\)\.$/);
    expect(io.out().indexOf('ECONNREFUSED')).toBeLessThan(io.out().indexOf('Scenario'));
  });
});
