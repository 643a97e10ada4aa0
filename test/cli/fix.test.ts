import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo } from '../support/cli-io.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

const io = () => captureIo();

describe('session-ttl fix <env> <action> --dry-run', () => {
  let redis: Redis;
  let config: string;
  beforeAll(async () => {
    redis = await resetSharedRedis();
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const dir = mkdtempSync(join(tmpdir(), 'fix-cli-'));
    config = join(dir, 'session-ttl.yaml');
    writeFileSync(
      config,
      `environments:\n  dev:\n    profile: development\n    redis: { url: "${sharedRedisUrl()}" }\n`,
    );
  });
  afterAll(async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    redis.disconnect();
  });

  it('prints the preview the Slack modal shows and changes nothing', async () => {
    const t = io();
    expect(await runCli(['fix', 'dev', 'set-eviction-policy', '--dry-run', '--config', config], t)).toBe(0);
    expect(t.out()).toContain('Preview: Set the Redis eviction policy in dev');
    expect(t.out()).toMatch(/CONFIG SET maxmemory-policy volatile-lru on 127\.0\.0\.1:\d+ \(now allkeys-lru\)/);
    expect(t.out()).toContain('Does not fix');
    expect(((await redis.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('allkeys-lru');
  });

  it("lists the form's inputs: what can be changed with --param, its current value and its choices", async () => {
    const t = io();
    expect(await runCli(['fix', 'dev', 'tune-aof', '--dry-run', '--config', config], t)).toBe(0);
    expect(t.out()).toContain(
      'Parameters (change with --param NAME=VALUE):\n' +
        '  percentage  auto-aof-rewrite-percentage: 100  from 0 to 10000\n' +
        '  minSize     auto-aof-rewrite-min-size: 128mb\n',
    );
    const none = io();
    expect(await runCli(['fix', 'dev', 'set-eviction-policy', '--dry-run', '--config', config, '--json'], none)).toBe(
      0,
    );
    expect(JSON.parse(none.out()).inputs).toEqual([
      expect.objectContaining({ kind: 'select', name: 'policy', initial: 'volatile-lru' }),
    ]);
  });

  it('passes --param values as strings to the action, whose schema reads numbers from them', async () => {
    const ok = io();
    expect(
      await runCli(['fix', 'dev', 'tune-aof', '--dry-run', '--param', 'percentage=150', '--config', config], ok),
    ).toBe(0);
    expect(ok.out()).toContain('CONFIG SET auto-aof-rewrite-percentage 150');
    expect(ok.out()).toContain('auto-aof-rewrite-percentage: 150');
    for (const bad of ['percentage=abc', 'percentage=', 'percentage=1.5']) {
      const t = io();
      expect(await runCli(['fix', 'dev', 'tune-aof', '--dry-run', '--param', bad, '--config', config], t), bad).toBe(2);
      expect(t.err()).toContain('Invalid parameters for tune-aof: percentage: expected a whole number');
    }
    const big = io();
    expect(
      await runCli(['fix', 'dev', 'tune-aof', '--dry-run', '--param', 'percentage=20000', '--config', config], big),
    ).toBe(2);
    expect(big.err()).toContain('percentage: expected at most 10000');
  });

  it('takes parameters with --param and validates them', async () => {
    const ok = io();
    expect(
      await runCli(
        ['fix', 'dev', 'set-eviction-policy', '--dry-run', '--param', 'policy=volatile-lfu', '--config', config],
        ok,
      ),
    ).toBe(0);
    expect(ok.out()).toContain('CONFIG SET maxmemory-policy volatile-lfu');
    const bad = io();
    expect(
      await runCli(
        ['fix', 'dev', 'set-eviction-policy', '--dry-run', '--param', 'policy=everything', '--config', config],
        bad,
      ),
    ).toBe(2);
    expect(bad.err()).toMatch(/Invalid parameters for set-eviction-policy: policy: expected one of volatile-lru/);
  });

  it('lists the risks of the chosen policy, not of the default one', async () => {
    const preview = async (policy: string) => {
      const t = io();
      const args = [
        'fix',
        'dev',
        'set-eviction-policy',
        '--dry-run',
        '--param',
        `policy=${policy}`,
        '--config',
        config,
      ];
      expect(await runCli(args, t)).toBe(0);
      return t.out();
    };
    const allkeys = await preview('allkeys-lru');
    expect(allkeys).not.toContain('Keys without a TTL are no longer evicted');
    expect(allkeys).toContain('Under memory pressure Redis evicts any key, sessions included, before their TTL');
    const noeviction = await preview('noeviction');
    expect(noeviction).not.toContain('Keys without a TTL are no longer evicted');
    expect(noeviction).toContain('every write (new sessions, refreshes) fails with an OOM error');
    expect(await preview('volatile-ttl')).toContain('Keys without a TTL are no longer evicted');
  });

  it('a refused --param names the flag that sets it and lists the valid parameters', async () => {
    const fix = async (action: string, ...params: string[]) => {
      const t = io();
      const args = ['fix', 'dev', action, '--dry-run', '--config', config, ...params.flatMap((p) => ['--param', p])];
      expect(await runCli(args, t)).toBe(2);
      expect(t.out()).toBe('');
      return t.err().trim();
    };
    expect(await fix('rollout-restart', 'target=db')).toBe(
      'session-ttl: Invalid parameters for rollout-restart: target: expected app or redis. Set with --param target=app|redis.',
    );
    expect(await fix('rollout-restart', 'tagret=app')).toBe(
      'session-ttl: --param tagret: rollout-restart has no parameter "tagret". Its parameters: --param target=app|redis.',
    );
    expect(await fix('tune-aof', 'percentage')).toBe(
      'session-ttl: --param expects KEY=VALUE, got "percentage". Its parameters: --param percentage=N (0 to 10000), ' +
        '--param minSize=VALUE (auto-aof-rewrite-min-size).',
    );
    expect(await fix('enable-sliding-window', 'on=true')).toContain('enable-sliding-window takes no parameters');
    expect(((await redis.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('allkeys-lru');
  });

  it('says why when Redis cannot be reached, without a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fix-cli-down-'));
    const down = join(dir, 'session-ttl.yaml');
    // Port 1 on loopback: nothing listens there.
    writeFileSync(
      down,
      `environments:\n  dev:\n    profile: development\n    redis: { url: "redis://127.0.0.1:1", connectTimeoutMs: 500 }\n`,
    );
    const t = io();
    expect(await runCli(['fix', 'dev', 'set-eviction-policy', '--dry-run', '--config', down], t)).toBe(2);
    expect(t.err()).toMatch(/Could not prepare the preview of set-eviction-policy in dev: Redis at 127\.0\.0\.1:1/);
    expect(t.err()).not.toMatch(/\n\s+at /);
  });

  it('refuses to apply from the terminal, an unknown action and an unknown environment', async () => {
    const apply = io();
    expect(await runCli(['fix', 'dev', 'set-eviction-policy', '--config', config], apply)).toBe(2);
    expect(apply.err()).toMatch(/add --dry-run/);
    const action = io();
    expect(await runCli(['fix', 'dev', 'drop-everything', '--dry-run', '--config', config], action)).toBe(2);
    expect(action.err()).toMatch(/Unknown action "drop-everything". Valid actions: set-eviction-policy/);
    const env = io();
    expect(await runCli(['fix', 'prod', 'set-eviction-policy', '--dry-run', '--config', config], env)).toBe(2);
    expect(env.err()).toMatch(/Unknown environment "prod"/);
    expect(((await redis.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('allkeys-lru');
  });
});
