// redis.provider (issue 20, managed services, the checks' part): a managed service blocks CONFIG; every check
// reads INFO instead, says so, and the report is complete.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import type { Report } from '../../src/diagnostics/types.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { captureIo } from '../support/cli-io.js';

describe('redis.provider: a managed Redis that blocks CONFIG', () => {
  let blocked: RedisServerHandle;
  let open: RedisServerHandle;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'provider-'));
    // As on ElastiCache: CONFIG does not exist for clients; the policy is set in the parameter group (here: argv).
    [blocked, open] = await Promise.all([
      startRedisServer([
        '--rename-command',
        'CONFIG',
        '""',
        '--maxmemory-policy',
        'allkeys-lru',
        '--maxmemory',
        '64mb',
      ]),
      startRedisServer(['--maxmemory-policy', 'allkeys-lru', '--maxmemory', '64mb']),
    ]);
    for (const s of [blocked, open]) {
      const c = new Redis(s.url);
      const now = Math.floor(Date.now() / 1000);
      const p = c.pipeline();
      for (let i = 0; i < 200; i++) p.set(`session:m${i}`, JSON.stringify({ created_at: now - i }), 'EX', 3600 - i);
      await p.exec();
      c.disconnect();
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all([blocked?.stop(), open?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function diagnose(url: string, provider: string, format: 'json' | 'text') {
    const path = join(dir, `${provider}.yaml`);
    const config = { environments: { dev: { profile: 'development', redis: { url, provider } } } };
    writeFileSync(path, stringify(config));
    const io = captureIo();
    const code = await runCli(['diagnose', 'dev', '--config', path, ...(format === 'json' ? ['--json'] : [])], io);
    expect(io.err()).toBe('');
    return { code, out: io.out() };
  }

  it('gives a complete report from INFO, each check saying that the provider blocks CONFIG', async () => {
    const { out } = await diagnose(blocked.url, 'elasticache', 'json');
    const report = JSON.parse(out) as Report;

    expect(report.checks.filter((c) => c.status === 'error')).toEqual([]);
    const eviction = report.findings.find((f) => f.id === 'eviction.allkeys_policy');
    expect(eviction?.evidence).toMatchObject({ policy: 'allkeys-lru', source: 'INFO memory (maxmemory_policy)' });
    const notes = Object.fromEntries(report.checks.map((c) => [c.id, c.message ?? '']));
    expect(notes['eviction-policy']).toContain(
      'AWS ElastiCache blocks CONFIG (redis.provider: elasticache): maxmemory-policy read from INFO',
    );
    expect(notes.aof).toContain('AWS ElastiCache blocks CONFIG');

    const text = await diagnose(blocked.url, 'elasticache', 'text');
    expect(text.out).not.toContain('INCOMPLETE');
    expect(text.out).toContain('maxmemory-policy is allkeys-lru');
  }, 120_000);

  it('sends no CONFIG at all to a managed Redis, and reads CONFIG from a self-managed one', async () => {
    const configCalls = async () => {
      const c = new Redis(open.url);
      try {
        return Number(/cmdstat_config\|get:calls=(\d+)/.exec(await c.info('commandstats'))?.[1] ?? 0);
      } finally {
        c.disconnect();
      }
    };
    const before = await configCalls();
    const managed = JSON.parse((await diagnose(open.url, 'memorystore', 'json')).out) as Report;
    expect(await configCalls()).toBe(before);
    expect(managed.checks.find((c) => c.id === 'eviction-policy')?.message).toContain('Google Cloud Memorystore');

    const self = JSON.parse((await diagnose(open.url, 'self-managed', 'json')).out) as Report;
    expect(await configCalls()).toBeGreaterThan(before);
    const eviction = self.findings.find((f) => f.id === 'eviction.allkeys_policy');
    expect(eviction?.evidence).toMatchObject({ source: 'CONFIG GET maxmemory-policy' });
    expect(self.checks.find((c) => c.id === 'eviction-policy')?.message ?? '').not.toContain('blocks CONFIG');
  }, 120_000);

  it('refuses an unknown provider, listing the known ones', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(
      path,
      stringify({ environments: { dev: { profile: 'development', redis: { url: open.url, provider: 'aws' } } } }),
    );
    const io = captureIo();
    expect(await runCli(['diagnose', 'dev', '--config', path], io)).toBe(2);
    expect(io.err()).toContain('redis.provider: expected one of elasticache | memorystore | azure | self-managed');
  });
});
