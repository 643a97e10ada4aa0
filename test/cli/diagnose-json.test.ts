import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import type { Report } from '../../src/diagnostics/types.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { plantAllkeysEvictions } from '../support/plant-evictions.js';
import { captureIo } from '../support/cli-io.js';

const HEALTHY_CLUSTER = join(import.meta.dirname, '../fixtures/healthy-cluster/app.yaml');
type K8sObject = Record<string, any>;

/** Writes a config for a development env (expects 3600 s) and a copy of the healthy cluster, edited by `edit`. */
function writeSetup(
  edit: (objects: K8sObject[]) => void = () => undefined,
  envExtra: Record<string, unknown> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  const objects = parseAllDocuments(readFileSync(HEALTHY_CLUSTER, 'utf8')).map((d) => d.toJS() as K8sObject);
  edit(objects);
  mkdirSync(join(dir, 'cluster'));
  writeFileSync(join(dir, 'cluster/app.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  const config = {
    environments: {
      dev: {
        profile: 'development',
        redis: { url: sharedRedisUrl() },
        kubernetes: { manifests: './cluster' },
        ...envExtra,
      },
    },
    defaults: { rateWindowMs: 200 },
  };
  writeFileSync(join(dir, 'session-ttl.yaml'), stringify(config));
  return join(dir, 'session-ttl.yaml');
}

/** Sessions as a healthy app writes them: SETEX with the configured TTL, created over the last TTL. */
async function seedSessions(redis: Redis, n: number, ttl: number, opts: { noTtl?: boolean; prefix?: string } = {}) {
  const nowSec = Math.floor(Date.now() / 1000);
  const p = redis.pipeline();
  for (let i = 0; i < n; i++) {
    const age = Math.floor((i / n) * ttl * 0.9);
    const key = `session:${opts.prefix ?? 's'}${i}`;
    const value = JSON.stringify({ user_id: `u${i}`, created_at: nowSec - age });
    if (opts.noTtl) p.set(key, value);
    else p.set(key, value, 'EX', ttl - age);
  }
  await p.exec();
}

async function diagnose(
  configPath: string,
): Promise<{ code: number; report: Report; io: ReturnType<typeof captureIo> }> {
  const io = captureIo();
  const code = await runCli(['diagnose', 'dev', '--config', configPath, '--json'], io);
  expect(io.err()).toBe('');
  return { code, report: JSON.parse(io.out()) as Report, io };
}

const problems = (r: Report) => r.findings.filter((f) => f.severity !== 'info').map((f) => f.id);
const pod = (objects: K8sObject[], i: number) => objects.filter((o) => o.kind === 'Pod')[i] as K8sObject;
const configMap = (objects: K8sObject[]) => objects.find((o) => o.kind === 'ConfigMap') as K8sObject;

let redis: Redis;
beforeEach(async () => {
  redis = await resetSharedRedis();
});
afterEach(async () => {
  redis.disconnect();
});

describe('session-ttl diagnose --json', () => {
  it('reports no warning or critical finding on a healthy store and cluster, and exits 0', async () => {
    await seedSessions(redis, 400, 3600);
    const { code, report } = await diagnose(writeSetup());
    expect(problems(report)).toEqual([]);
    expect(report.checks.map((c) => c.status)).not.toContain('error');
    expect(report.findings.map((f) => f.id)).toContain('ttl.distribution');
    expect(code).toBe(0);
  });

  const redisFaults: [string, (r: Redis) => Promise<void>, Record<string, unknown>?][] = [
    [
      'ttl.no_expiry',
      async (r) => {
        await seedSessions(r, 400, 3600);
        await seedSessions(r, 40, 3600, { noTtl: true, prefix: 'plain' });
      },
    ],
    [
      'ttl.above_configured',
      async (r) => {
        await seedSessions(r, 400, 3600);
        await seedSessions(r, 40, 7 * 86400, { prefix: 'week' });
      },
    ],
    ['ttl.effective_below_configured', (r) => seedSessions(r, 400, 600)],
    [
      'ttl.inconsistent',
      async (r) => {
        await seedSessions(r, 200, 3600);
        await seedSessions(r, 200, 1800, { prefix: 'half' });
      },
      { slidingWindow: false },
    ],
    [
      'eviction.sessions_only_candidates',
      async (r) => {
        await seedSessions(r, 100, 3600);
        const p = r.pipeline();
        for (let i = 0; i < 1000; i++) p.set(`cache:${i}`, 'x');
        await p.exec();
        await r.config('SET', 'maxmemory-policy', 'volatile-lru');
      },
    ],
  ];
  it.each(redisFaults)('reports %s for its planted fault', async (id, plant, envExtra) => {
    await plant(redis);
    const { report } = await diagnose(writeSetup(undefined, envExtra));
    expect(problems(report)).toContain(id);
  });

  it('reports memory pressure and the allkeys policy when Redis evicts sessions, and exits 1', async () => {
    await seedSessions(redis, 2000, 3600);
    await plantAllkeysEvictions(redis);
    const { code, report } = await diagnose(writeSetup());
    expect(problems(report)).toEqual(
      expect.arrayContaining(['memory.high_usage', 'memory.evictions', 'eviction.allkeys_policy']),
    );
    expect(code).toBe(1);
  });

  const clusterFaults: [string, (o: K8sObject[]) => void][] = [
    ['config.missing_key', (o) => delete configMap(o).data.session_ttl_seconds],
    ['config.ttl_not_expected', (o) => (configMap(o).data.session_ttl_seconds = '1800')],
    [
      'config.configmap_not_referenced',
      (o) => {
        delete pod(o, 0).spec.containers[0].envFrom;
        delete pod(o, 1).spec.containers[0].env;
      },
    ],
    [
      'config.env_override_mismatch',
      (o) => {
        pod(o, 0).spec.containers[0].env = [{ name: 'SESSION_TTL_SECONDS', value: '600' }];
      },
    ],
    [
      'config.stale_pods',
      (o) => {
        pod(o, 1).status.startTime = '2026-10-20T00:00:00Z';
        pod(o, 1).status.containerStatuses[0].state.running.startedAt = '2026-10-20T00:00:05Z';
      },
    ],
  ];
  it.each(clusterFaults)('reports %s for its planted fault', async (id, edit) => {
    await seedSessions(redis, 400, 3600);
    const { report } = await diagnose(writeSetup(edit));
    expect(problems(report)).toEqual([id]);
  });

  it('exits 2 with a message for usage and config errors, printing no report', async () => {
    const io = captureIo();
    expect(await runCli(['diagnose'], io)).toBe(2);
    expect(io.err()).toMatch(/diagnose needs an environment name/);
    const io2 = captureIo();
    expect(await runCli(['diagnose', 'prod', '--config', writeSetup()], io2)).toBe(2);
    expect(io2.err()).toMatch(/Unknown environment "prod". Valid environments: dev\./);
    const io3 = captureIo();
    expect(await runCli(['diagnose', 'dev', '--config', '/nope/x.yaml'], io3)).toBe(2);
    expect(io3.err()).toMatch(/file not found/);
    const io4 = captureIo();
    expect(await runCli(['diagnose', 'dev', '--config', writeSetup(), '--check', 'nope'], io4)).toBe(2);
    expect(io4.err()).toMatch(/Unknown check "nope"\. Valid checks: env-check, ttl-sample, memory, eviction-policy/);
    const io5 = captureIo();
    expect(await runCli(['diagnose', 'dev', '--bogus'], io5)).toBe(2);
    expect(io5.err()).toMatch(/^session-ttl: unknown option --bogus\nUsage: session-ttl diagnose <env> /);
    for (const each of [io, io2, io3, io4, io5]) expect(each.out()).toBe('');
  });

  it('prints a readable text report without colour when not on a TTY', async () => {
    await seedSessions(redis, 50, 3600);
    await seedSessions(redis, 10, 3600, { noTtl: true, prefix: 'plain' });
    const io = captureIo();
    const code = await runCli(['diagnose', 'dev', '--config', writeSetup(), '--check', 'ttl-sample'], io);
    expect(code).toBe(0);
    expect(io.out()).toMatch(/^Session TTL diagnosis: dev/);
    expect(io.out()).toMatch(/WARNING .*never expire/);
    expect(io.out()).toMatch(/no expiry\s+[█▏▎▍▌▋▊▉]+\s+10\n/);
    expect(io.out()).not.toMatch(/\x1b\[/);
  });
});
