import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import type { CliIo } from '../../src/cli/io.js';
import type { Report } from '../../src/diagnostics/types.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

// The README's ACL line for the diagnosis is a promise: a user with exactly that rule runs every Redis
// check without a denial. Read from the README, so the two cannot drift apart.
const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
const aclLine = /^ACL SETUSER session-ttl on >… (.+)$/m.exec(README);

describe('the Redis ACL the README gives for diagnose (issue 10 item 9)', () => {
  let server: RedisServerHandle;
  let admin: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('is enough for every Redis check: no denial, no check in error', async () => {
    expect(aclLine, 'README lacks the "ACL SETUSER session-ttl on >… …" line').not.toBeNull();
    const rules = aclLine![1]!.trim().split(/\s+/);
    // Given a user with exactly those rules, and sessions as strings and as a hash.
    await admin.call('ACL', 'SETUSER', 'session-ttl', 'on', '>diagnose-pw-1', ...rules);
    const p = admin.pipeline();
    for (let i = 0; i < 30; i++)
      p.set(`session:s${i}`, JSON.stringify({ created_at: Math.floor(Date.now() / 1000) }), 'EX', 3000);
    p.hset('session:h0', 'created_at', String(Math.floor(Date.now() / 1000)));
    p.expire('session:h0', 3000);
    await p.exec();
    const dir = mkdtempSync(join(tmpdir(), 'acl-'));
    const config = join(dir, 'session-ttl.yaml');
    writeFileSync(
      config,
      stringify({
        environments: {
          dev: { profile: 'development', redis: { url: server.url, usernameEnv: 'RU', passwordEnv: 'RP' } },
        },
        defaults: { rateWindowMs: 0 },
      }),
    );

    // When diagnosing as that user.
    let out = '';
    const io: CliIo = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
      env: { RU: 'session-ttl', RP: 'diagnose-pw-1' },
      color: false,
      stderrIsTTY: false,
    };
    await runCli(['diagnose', 'dev', '--config', config, '--json'], io);
    const report = JSON.parse(out) as Report;

    // Then nothing was denied and every check that needs only Redis ran.
    expect(report.findings.map((f) => f.id)).not.toContain('redis.forbidden');
    expect(report.checks.filter((c) => c.status === 'error')).toEqual([]);
    expect(report.checks.find((c) => c.id === 'ttl-sample')?.status).toBe('findings');

    // And the rule is not more than needed: without +pttl the diagnosis says what to add.
    await admin.call('ACL', 'SETUSER', 'session-ttl', '-pttl');
    out = '';
    await runCli(['diagnose', 'dev', '--config', config, '--json'], io);
    const denied = (JSON.parse(out) as Report).findings.find((f) => f.id === 'redis.forbidden');
    expect(denied?.evidence).toMatchObject({ aclRule: '+pttl' });
  });
});
