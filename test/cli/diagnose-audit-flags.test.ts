import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import type { Report } from '../../src/diagnostics/types.js';
import { captureIo } from '../support/cli-io.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

let redis: Redis;
beforeEach(async () => {
  redis = await resetSharedRedis();
});
afterEach(() => redis.disconnect());

function writeConfig(audit?: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-audit-'));
  const config = {
    environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl(), ...(audit ? { audit } : {}) } } },
    defaults: { rateWindowMs: 200 },
  };
  writeFileSync(join(dir, 'session-ttl.yaml'), stringify(config));
  return join(dir, 'session-ttl.yaml');
}

async function auditOf(args: string[], audit?: Record<string, unknown>) {
  const io = captureIo();
  const code = await runCli(
    ['diagnose', 'dev', '--config', writeConfig(audit), '--check', 'ttl-sample', '--json', ...args],
    io,
  );
  const report = JSON.parse(io.out()) as Report;
  const evidence = report.findings.find((f) => f.id === 'ttl.distribution')?.evidence as {
    sampled: number;
    audit?: Record<string, unknown>;
  };
  return { code, evidence };
}

describe('diagnose --full audit flags', () => {
  it('runs gentle by default, fast with --fast, and the flags win over redis.audit', async () => {
    const p = redis.pipeline();
    for (let i = 0; i < 250; i++) p.set(`session:${i}`, '{}', 'EX', 3600);
    await p.exec();

    const gentle = await auditOf(['--full'], { pauseMs: 0, scanCount: 50 });
    expect(gentle.evidence).toMatchObject({
      sampled: 250,
      audit: { mode: 'gentle', scanCount: 50, pauseMs: 0, paths: [{ path: 'script' }] },
    });

    const fast = await auditOf(['--full', '--fast', '--scan-count', '30'], { fastScanCount: 500, script: false });
    expect(fast.evidence).toMatchObject({
      sampled: 250,
      audit: { mode: 'fast', scanCount: 30, pauseMs: 0, paths: [{ path: 'lean' }] },
    });
    expect(fast.evidence.audit?.note).toMatch(/script: false/);

    const paced = await auditOf(['--full', '--pause-ms', '1', '--scan-count', '100']);
    expect(paced.evidence.audit).toMatchObject({ mode: 'gentle', scanCount: 100, pauseMs: 1 });
  });

  it('the terminal report names the mode', async () => {
    await redis.set('session:a', '{}', 'EX', 3600);
    const io = captureIo();
    await runCli(['diagnose', 'dev', '--config', writeConfig({ pauseMs: 0 }), '--check', 'ttl-sample', '--full'], io);
    expect(io.out()).toMatch(/1 sessions? \(full audit, gentle\)/);
  });

  it('refuses the audit flags without --full, and malformed numbers, as usage errors (exit 2)', async () => {
    for (const args of [
      ['--fast'],
      ['--scan-count', '10'],
      ['--full', '--scan-count', 'ten'],
      ['--full', '--pause-ms', '-1'],
      ['--full', '--scan-count', '0'],
    ]) {
      const io = captureIo();
      const code = await runCli(['diagnose', 'dev', '--config', writeConfig(), ...args], io);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(io.err() + io.out()).toMatch(/--full|--scan-count|--pause-ms/);
    }
  });
});
