import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseInfo, IoRedisNode } from '../../../src/adapters/redis/redis-node.js';
import { openSessionStore } from '../../../src/adapters/redis/redis-store.js';
import type { RedisNodePort } from '../../../src/core/ports/session-store.js';
import { parseConfig } from '../../../src/config/config.js';
import { aofCheck, assessRewrites, readAof } from '../../../src/diagnostics/checks/aof.js';
import { allChecks } from '../../../src/diagnostics/all-checks.js';
import { runDiagnosis } from '../../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { eventually } from '../../support/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { resetSharedRedis } from '../../support/shared-redis.js';
import { makeContext, runChecked, findingById as byId, findingIds as ids } from '../check-context.js';

interface AofServer {
  server: RedisServerHandle;
  client: Redis;
  dir: string;
}
const running: AofServer[] = [];

/** A private redis-server with AOF on, its data in a fresh temp directory. */
async function startAofServer(extraArgs: string[] = []): Promise<AofServer> {
  const dir = mkdtempSync(join(tmpdir(), 'aof-'));
  const server = await startRedisServer(['--appendonly', 'yes', '--dir', dir, ...extraArgs]);
  const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  const s = { server, client, dir };
  running.push(s);
  return s;
}

async function persistence(client: Redis): Promise<Record<string, string>> {
  return parseInfo(await client.info('persistence'));
}

/** Polls INFO persistence until `done` holds (a real fork/rewrite takes a moment). */
const waitFor = (client: Redis, done: (p: Record<string, string>) => boolean, what: string) =>
  eventually(what, async () => done(await persistence(client)), { detail: () => persistence(client) });

const run = (clients: Redis[]) => runChecked(aofCheck, makeContext({ clients }));

afterEach(async () => {
  for (const s of running.splice(0)) {
    s.client.disconnect();
    // SIGTERM first: it also ends a rewrite child. A server whose AOF writes fail takes a while to give
    // up on its final fsync, so it gets SIGKILL after a short wait.
    const stopped = s.server.stop();
    const timer = setTimeout(() => s.server.process.kill('SIGKILL'), 300);
    await stopped;
    clearTimeout(timer);
    rmSync(s.dir, { recursive: true, force: true });
  }
});

describe('aof', () => {
  describe('healthy or off: no finding', () => {
    let shared: Redis;
    beforeEach(async () => {
      shared = await resetSharedRedis();
    });
    afterAll(() => shared?.disconnect());

    it('AOF off (aof_enabled:0): nothing is raised and no CONFIG is read', async () => {
      expect((await persistence(shared)).aof_enabled).toBe('0');
      const node = new IoRedisNode(shared);
      const configCalls: string[] = [];
      const watched: RedisNodePort = Object.assign(Object.create(node) as RedisNodePort, {
        configGet: (name: string) => {
          configCalls.push(name);
          return node.configGet(name);
        },
      });
      expect(await runChecked(aofCheck, makeContext({ redis: { nodes: [watched] } }))).toEqual([]);
      expect(configCalls).toEqual([]);
    });

    it('AOF on with the runbook settings and a successful rewrite: nothing is raised', async () => {
      const s = await startAofServer(['--auto-aof-rewrite-percentage', '100', '--auto-aof-rewrite-min-size', '128mb']);
      await s.client.set('session:a', 'v', 'EX', 3600);
      await s.client.bgrewriteaof();
      await waitFor(s.client, (p) => p.aof_rewrite_in_progress === '0' && p.aof_rewrites === '1', 'the rewrite');
      expect(await run([s.client])).toEqual([]);
    });

    it("AOF on with Redis's defaults (100 %, 64mb): nothing is raised", async () => {
      const s = await startAofServer();
      expect(await s.client.config('GET', 'auto-aof-rewrite-min-size')).toEqual([
        'auto-aof-rewrite-min-size',
        '67108864',
      ]);
      expect(await run([s.client])).toEqual([]);
    });
  });

  describe('aof.last_rewrite_failed', () => {
    it('a rewrite that fails for real (data directory removed) is a warning', async () => {
      // Given the data directory disappears under a running Redis (a lost volume)
      const s = await startAofServer();
      rmSync(s.dir, { recursive: true, force: true });

      // When a rewrite is requested, Redis cannot create its new AOF file
      await expect(s.client.bgrewriteaof()).rejects.toThrow(/AOF background rewriting/);
      expect((await persistence(s.client)).aof_last_bgrewrite_status).toBe('err');

      // Then
      const findings = await run([s.client]);
      expect(ids(findings)).toEqual(['aof.last_rewrite_failed']);
      const f = byId(findings, 'aof.last_rewrite_failed');
      expect(f.severity).toBe('warning');
      expect(f.title).toBe('The last AOF rewrite failed (aof_last_bgrewrite_status:err)');
      expect(f.evidence).toMatchObject({ lastBgrewriteStatus: 'err', lastWriteStatus: 'ok' });
      expect(f.fix).toContain('kubectl logs -n langgraph-agent -l app=redis-session --tail=100 | grep -i AOF');
    });

    it('an AOF write that fails for real (disk full) is critical: Redis refuses writes', async () => {
      // Given the next incremental AOF file is /dev/full (every write fails with ENOSPC)
      const s = await startAofServer();
      const manifest = readFileSync(join(s.dir, 'appendonlydir', 'appendonly.aof.manifest'), 'utf8');
      const seqs = [...manifest.matchAll(/seq (\d+) type i/g)].map((m) => Number(m[1]));
      const next = Math.max(...seqs) + 1;
      symlinkSync('/dev/full', join(s.dir, 'appendonlydir', `appendonly.aof.${next}.incr.aof`));
      await s.client.bgrewriteaof();
      await waitFor(s.client, (p) => p.aof_rewrite_in_progress === '0', 'the rewrite');

      // When the app writes a session, until Redis notices the failed write
      await waitFor(
        s.client,
        (p) => {
          s.client.set('session:a', 'v', 'EX', 3600).catch(() => undefined);
          return p.aof_last_write_status === 'err';
        },
        'a failed AOF write',
      );
      await expect(s.client.set('session:b', 'v', 'EX', 3600)).rejects.toThrow(/MISCONF/);

      // Then
      const f = byId(await run([s.client]), 'aof.last_rewrite_failed');
      expect(f.severity).toBe('critical');
      expect(f.title).toBe('Redis cannot write its AOF (aof_last_write_status:err): writes are refused');
      expect(f.evidence).toMatchObject({ lastWriteStatus: 'err' });
      expect(f.detail).toMatch(/MISCONF/);
    });
  });

  describe('aof.rewrite_in_progress', () => {
    it('a running rewrite is a warning with its duration', async () => {
      // Given a dataset that takes seconds to rewrite (rdb-key-save-delay slows the child per key)
      const s = await startAofServer();
      const p = s.client.pipeline();
      for (let i = 0; i < 200; i++) p.set(`session:${i}`, 'v', 'EX', 3600);
      await p.exec();
      await s.client.config('SET', 'rdb-key-save-delay', '50000');
      await s.client.bgrewriteaof();

      const findings = await run([s.client]);

      expect(ids(findings)).toEqual(['aof.rewrite_in_progress']);
      const f = byId(findings, 'aof.rewrite_in_progress');
      expect(f.severity).toBe('warning');
      expect(f.title).toMatch(/^An AOF rewrite is running \(for \d+ s\)$/);
      expect(f.evidence).toMatchObject({ rewriteInProgress: true, rewriteScheduled: false });
      expect(f.fix).toMatch(
        /tune-aof action.*auto-aof-rewrite-percentage line to 100 and the auto-aof-rewrite-min-size line to 128mb.*redis-session-config/,
      );
      expect(f.fix).not.toContain('kubectl patch');
    });

    it('a rewrite scheduled behind a running BGSAVE is raised as scheduled', async () => {
      const s = await startAofServer();
      const p = s.client.pipeline();
      for (let i = 0; i < 200; i++) p.set(`session:${i}`, 'v', 'EX', 3600);
      await p.exec();
      await s.client.config('SET', 'rdb-key-save-delay', '50000');
      await s.client.bgsave();
      expect(await s.client.bgrewriteaof()).toMatch(/scheduled/);

      const f = byId(await run([s.client]), 'aof.rewrite_in_progress');
      expect(f.evidence).toMatchObject({ rewriteInProgress: false, rewriteScheduled: true });
      expect(f.title).toMatch(/^An AOF rewrite is scheduled/);
    });
  });

  describe('aof.delayed_fsync', () => {
    it('raised from a real INFO persistence reply whose aof_delayed_fsync is above 0', async () => {
      // A slow disk cannot be produced on loopback: the real node's reply is passed through with the
      // counter a slow disk would have raised (the port is wrapped, no module is mocked).
      const s = await startAofServer(['--appendfsync', 'everysec']);
      const node = new IoRedisNode(s.client);
      const slowDisk: RedisNodePort = Object.assign(Object.create(node) as RedisNodePort, {
        info: async (section: string) => {
          const reply = await node.info(section);
          return section === 'persistence' ? { ...reply, aof_delayed_fsync: '7' } : reply;
        },
      });

      const findings = await runChecked(aofCheck, makeContext({ redis: { nodes: [slowDisk] } }));

      expect(ids(findings)).toEqual(['aof.delayed_fsync']);
      const f = byId(findings, 'aof.delayed_fsync');
      expect(f.severity).toBe('warning');
      expect(f.title).toBe('Redis delayed 7 AOF fsyncs: the disk cannot keep up');
      expect(f.evidence).toMatchObject({ delayedFsync: 7, appendfsync: 'everysec' });
    });

    it('not raised when the real reply says aof_delayed_fsync:0', async () => {
      const s = await startAofServer();
      expect((await persistence(s.client)).aof_delayed_fsync).toBe('0');
      expect(ids(await run([s.client]))).not.toContain('aof.delayed_fsync');
    });
  });

  describe('aof.frequent_rewrites', () => {
    it.each([
      ['auto-aof-rewrite-percentage', '50', /auto-aof-rewrite-percentage is 50/],
      ['auto-aof-rewrite-min-size', '16mb', /auto-aof-rewrite-min-size is 16mb/],
    ])('%s %s alone is an info with the current settings', async (name, value, reason) => {
      const s = await startAofServer();
      await s.client.config('SET', name, value);

      const findings = await run([s.client]);

      expect(ids(findings)).toEqual(['aof.frequent_rewrites']);
      const f = byId(findings, 'aof.frequent_rewrites');
      expect(f.severity).toBe('info');
      expect(f.title).toBe('AOF rewrite settings make rewrites frequent');
      expect(f.detail).toMatch(reason);
      expect(f.detail).toMatch(/Current settings: auto-aof-rewrite-percentage \d+, auto-aof-rewrite-min-size \d+mb/);
      expect(f.evidence).toMatchObject({ observed: false, configAllowed: true });
      expect(f.fix).toMatch(/auto-aof-rewrite-percentage 100.*auto-aof-rewrite-min-size 128mb/);
    });

    it('percentage 0 (automatic rewrites off) is not frequent', async () => {
      const s = await startAofServer(['--auto-aof-rewrite-percentage', '0', '--auto-aof-rewrite-min-size', '1mb']);
      expect(await run([s.client])).toEqual([]);
    });

    /** Appends to the AOF in small steps until Redis has rewritten it `times` times on its own. */
    async function writeUntilRewrites(client: Redis, times: number): Promise<void> {
      const value = 'x'.repeat(2000);
      for (let i = 0; i < 400; i++) {
        await client.set(`session:${i}`, value, 'EX', 3600);
        if (Number((await persistence(client)).aof_rewrites) >= times) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('Redis did not rewrite its AOF');
    }

    it('rewrites actually happening often are a warning with their rate', async () => {
      // Given settings that rewrite after a few KB, and a writer
      const s = await startAofServer(['--auto-aof-rewrite-percentage', '1', '--auto-aof-rewrite-min-size', '0']);
      await writeUntilRewrites(s.client, 3);
      await waitFor(s.client, (p) => p.aof_rewrite_in_progress === '0', 'the last rewrite');

      const f = byId(await run([s.client]), 'aof.frequent_rewrites');

      expect(f.severity).toBe('warning');
      expect(f.evidence).toMatchObject({
        observed: true,
        rewritePercentage: 1,
        rewriteMinSizeBytes: 0,
        configAllowed: true,
      });
      expect(f.evidence.ratePerHour as number).toBeGreaterThanOrEqual(6);
      expect(f.title).toMatch(/^AOF rewrites are frequent: \d+ \([\d,.]+ per hour\)$/);
      expect((f.evidence.reasons as string[])[0]).toMatch(/^\d+ AOF rewrites in \d+ s of uptime \([\d,.]+ per hour\)/);
    });

    it('on a managed Redis that refuses CONFIG, observed rewrites are still raised and the settings are said to be unknown', async () => {
      const s = await startAofServer([
        '--rename-command',
        'CONFIG',
        '""',
        '--auto-aof-rewrite-percentage',
        '1',
        '--auto-aof-rewrite-min-size',
        '0',
      ]);
      await writeUntilRewrites(s.client, 3);

      const f = byId(await run([s.client]), 'aof.frequent_rewrites');

      expect(f.severity).toBe('warning');
      expect(f.evidence).toMatchObject({ configAllowed: false, rewritePercentage: null, rewriteMinSizeBytes: null });
      expect(f.evidence.note).toMatch(/CONFIG is disabled/);
      expect(f.detail).toMatch(/CONFIG is disabled on this server .* could not be read/);
    });

    it('assessRewrites computes the growth between rewrites from the settings and the base size', async () => {
      const s = await startAofServer(['--auto-aof-rewrite-min-size', '16mb']);
      const reading = await readAof(new IoRedisNode(s.client));
      const a = assessRewrites(reading);
      // max(base x 100 %, 16mb - base) with a base of a few bytes: about 16mb
      expect(a.rewriteEveryBytes).toBe(16 * 1024 * 1024 - (reading.baseSizeBytes ?? 0));
      expect(a.observed).toBe(false);
    });
  });

  describe('over several nodes', () => {
    it('one node with AOF off and one whose rewrite failed: raised once, naming the failed node', async () => {
      const shared = await resetSharedRedis();
      try {
        const s = await startAofServer();
        rmSync(s.dir, { recursive: true, force: true });
        await s.client.bgrewriteaof().catch(() => undefined);

        const findings = await run([shared, s.client]);

        expect(ids(findings)).toEqual(['aof.last_rewrite_failed']);
        const f = byId(findings, 'aof.last_rewrite_failed');
        expect(f.evidence).toMatchObject({ failedNodes: [`127.0.0.1:${s.server.port}`] });
        expect(f.evidence.nodes).toHaveLength(2);
        expect(f.title).toContain(`on 1 of 2 nodes (127.0.0.1:${s.server.port})`);
      } finally {
        shared.disconnect();
      }
    });
  });

  describe('through the engine', () => {
    function config(url: string) {
      return parseConfig(
        { environments: { dev: { profile: 'development', redis: { url } } }, defaults: { rateWindowMs: 0 } },
        'test',
      );
    }

    it('Redis down: the check ends in error with redis.unreachable', async () => {
      const s = await startAofServer();
      s.client.disconnect();
      await s.server.stop();
      const cfg = config(s.server.url);
      const store = openSessionStore(cfg.environments.dev!, {});
      try {
        const report = await runDiagnosis(
          { config: cfg, registry: createCheckRegistry([aofCheck]), sourcesFor: () => ({ redis: store }) },
          { envName: 'dev' },
        );
        expect(report.checks).toMatchObject([{ id: 'aof', status: 'error' }]);
        expect(report.checks[0]?.message).toMatch(/unreachable/);
        expect(report.findings.map((f) => f.id)).toEqual(['redis.unreachable']);
      } finally {
        await store.close();
      }
    });

    it('an AOF fault alone ranks runbook Scenario 7 first, as likely', async () => {
      // Given a store with nothing wrong but a failed AOF rewrite, and no Kubernetes source
      const s = await startAofServer();
      rmSync(s.dir, { recursive: true, force: true });
      await s.client.bgrewriteaof().catch(() => undefined);
      const cfg = config(s.server.url);
      const store = openSessionStore(cfg.environments.dev!, {});
      try {
        const report = await runDiagnosis(
          { config: cfg, registry: createCheckRegistry(allChecks), sourcesFor: () => ({ redis: store }) },
          { envName: 'dev' },
        );
        expect(report.checks.find((c) => c.id === 'aof')?.status).toBe('findings');
        expect(report.scenarios[0]).toMatchObject({
          scenario: 7,
          likelihood: 'likely',
          evidence: ['aof.last_rewrite_failed'],
        });
        expect(report.scenarios.filter((sc) => sc.likelihood === 'likely').map((sc) => sc.scenario)).toEqual([7]);
      } finally {
        await store.close();
      }
    });
  });
});
