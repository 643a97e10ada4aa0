import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openSessionStore } from '../../../src/adapters/redis/redis-store.js';
import { parseConfig } from '../../../src/config/config.js';
import { allChecks } from '../../../src/diagnostics/all-checks.js';
import { parseCommandStats, readCommandCalls } from '../../../src/diagnostics/redis-info/commandstats.js';
import { runDiagnosis } from '../../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { setThenExpire, writeCounts, writePatternCheck } from '../../../src/diagnostics/checks/write-pattern.js';
import { IoRedisNode, parseInfo } from '../../../src/adapters/redis/redis-node.js';
import { startRedisServer } from '../../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { makeContext, runChecked, findingById as byId, findingIds as ids } from '../check-context.js';

let client: Redis;

beforeEach(async () => {
  client?.disconnect();
  // Flushes, and CONFIG RESETSTAT zeroes INFO commandstats.
  client = await resetSharedRedis();
});
afterAll(() => client?.disconnect());

const run = (opts: { slidingWindow?: boolean; clients?: Redis[] } = {}) =>
  runChecked(
    writePatternCheck,
    makeContext({ clients: opts.clients ?? [client], slidingWindow: opts.slidingWindow ?? false }),
  );

/** The app's writers, each one command at a time as a client library sends them. */
const app = {
  async setex(r: Redis, n: number, prefix = 's') {
    for (let i = 0; i < n; i++) await r.setex(`session:${prefix}${i}`, 3600, `{"user_id":"u${i}"}`);
  },
  async setEx(r: Redis, n: number, prefix = 'e') {
    for (let i = 0; i < n; i++) await r.set(`session:${prefix}${i}`, `{"user_id":"u${i}"}`, 'EX', 3600);
  },
  async plainSet(r: Redis, n: number, prefix = 'p', keyspace = 'session') {
    for (let i = 0; i < n; i++) await r.set(`${keyspace}:${prefix}${i}`, `{"user_id":"u${i}"}`);
  },
  async setThenExpire(r: Redis, n: number, prefix = 'x') {
    for (let i = 0; i < n; i++) {
      await r.set(`session:${prefix}${i}`, `{"user_id":"u${i}"}`);
      await r.expire(`session:${prefix}${i}`, 3600);
    }
  },
  /** A sliding-window access: read the session, then refresh its TTL. */
  async access(r: Redis, n: number, prefix: string) {
    for (let i = 0; i < n; i++) {
      await r.get(`session:${prefix}${i}`);
      await r.expire(`session:${prefix}${i}`, 3600);
    }
  },
};

describe('write-pattern', () => {
  describe('a healthy writer raises nothing', () => {
    it('SETEX sessions, read back', async () => {
      await app.setex(client, 200);
      for (let i = 0; i < 50; i++) await client.get(`session:s${i}`);
      expect(await run()).toEqual([]);
    });

    it('SETEX sessions refreshed with GET + EXPIRE under a sliding window', async () => {
      await app.setex(client, 100);
      await app.access(client, 100, 's');
      await app.access(client, 100, 's');
      expect(await run({ slidingWindow: true })).toEqual([]);
    });

    it('an empty store with no traffic', async () => {
      expect(await run()).toEqual([]);
    });
  });

  describe('code.set_without_ttl', () => {
    it('plain SET sessions next to SETEX ones: raised with the SET/SETEX counts and the keys without TTL', async () => {
      // Given 100 sessions written with SETEX and 20 with a plain SET
      await app.setex(client, 100);
      await app.plainSet(client, 20);

      const findings = await run();

      expect(ids(findings)).toEqual(['code.set_without_ttl']);
      const f = byId(findings, 'code.set_without_ttl');
      expect(f.severity).toBe('warning');
      expect(f.title).toBe('20 of 120 sampled sessions have no TTL; Redis served 20 SET vs 100 SETEX/PSETEX calls');
      expect(f.evidence).toMatchObject({ setCalls: 20, setexCalls: 100, sampled: 120, noTtl: 20, expireCalls: 0 });
      expect(f.evidence.samples).toHaveLength(5);
      expect(f.detail).toMatch(/counts SET with and without EX as one command/);
      expect(f.fix).toMatch(/SETEX/);
    });

    it('HSET sessions without EXPIRE: raised, naming HSET', async () => {
      for (let i = 0; i < 10; i++) await client.hset(`session:h${i}`, { user_id: `u${i}` });
      const f = byId(await run(), 'code.set_without_ttl');
      expect(f.evidence).toMatchObject({ setCalls: 0, noTtl: 10, ttlLessWriteCalls: { hset: 10 } });
      expect(f.detail).toMatch(/10 HSET/);
    });

    it('not raised when SET writes other keys and every sampled session has a TTL', async () => {
      await app.setex(client, 100);
      await app.plainSet(client, 100, 'page', 'cache');
      expect(await run()).toEqual([]);
    });

    it('not raised for SET ... EX sessions (SET calls, but every key has a TTL)', async () => {
      await app.setEx(client, 100);
      expect(await run()).toEqual([]);
    });

    it('not raised when keys lack a TTL but no SET was served since CONFIG RESETSTAT', async () => {
      // (ttl-sample's ttl.no_expiry reports those keys; nothing says how they were written now)
      await app.plainSet(client, 20);
      await client.config('RESETSTAT');
      expect(await run()).toEqual([]);
    });
  });

  describe('code.set_then_expire', () => {
    it('SET followed by EXPIRE for every session: raised with the call counts', async () => {
      await app.setThenExpire(client, 100);

      const findings = await run();

      // Every key got its TTL, so only the pattern is reported.
      expect(ids(findings)).toEqual(['code.set_then_expire']);
      const f = byId(findings, 'code.set_then_expire');
      expect(f.severity).toBe('warning');
      expect(f.title).toBe('100 EXPIRE calls track 100 SET calls: sessions look written with SET then EXPIRE');
      expect(f.evidence).toMatchObject({
        setCalls: 100,
        expireCalls: 100,
        expireByCommand: { expire: 100 },
        setexCalls: 0,
        ratio: 1,
        slidingWindow: false,
      });
      expect(f.evidence.rule).toMatch(/^sliding window off/);
    });

    it('PEXPIRE counts like EXPIRE', async () => {
      for (let i = 0; i < 60; i++) {
        await client.set(`session:p${i}`, 'v');
        await client.pexpire(`session:p${i}`, 3_600_000);
      }
      const f = byId(await run(), 'code.set_then_expire');
      expect(f.evidence).toMatchObject({ setCalls: 60, expireByCommand: { pexpire: 60 } });
    });

    it('not raised below the minimum of SET calls', async () => {
      await app.setThenExpire(client, 30);
      expect(await run()).toEqual([]);
    });

    it('not raised when EXPIRE is rare next to SET (SET ... EX writer, an occasional EXPIRE)', async () => {
      await app.setEx(client, 100);
      for (let i = 0; i < 10; i++) await client.expire(`session:e${i}`, 3600);
      expect(await run()).toEqual([]);
    });

    describe('with the sliding window on', () => {
      it('SET + EXPIRE creation without reads is still raised', async () => {
        await app.setThenExpire(client, 100);
        const f = byId(await run({ slidingWindow: true }), 'code.set_then_expire');
        expect(f.evidence).toMatchObject({ slidingWindow: true, creationExpireCalls: 100, readCalls: 0 });
        expect(f.evidence.rule).toMatch(/^sliding window on/);
        expect(f.detail).toMatch(/beyond the 0 reads/);
      });

      it('SET + EXPIRE creation plus GET + EXPIRE refreshes: the EXPIREs beyond the reads still track the SETs', async () => {
        await app.setThenExpire(client, 100);
        await app.access(client, 100, 'x');
        await app.access(client, 100, 'x');
        const f = byId(await run({ slidingWindow: true }), 'code.set_then_expire');
        expect(f.evidence).toMatchObject({ setCalls: 100, expireCalls: 300, readCalls: 200, creationExpireCalls: 100 });
      });

      it('SET ... EX creation with one GET + EXPIRE refresh per session is not raised', async () => {
        await app.setEx(client, 100);
        await app.access(client, 100, 'e');
        expect(await run({ slidingWindow: true })).toEqual([]);
        // Without a sliding window the same traffic has no reason to call EXPIRE: it is raised.
        expect(ids(await run({ slidingWindow: false }))).toEqual(['code.set_then_expire']);
      });

      it('not raised when most sessions are created with SETEX (the SETs write other keys)', async () => {
        await app.setex(client, 100);
        await app.setThenExpire(client, 60);
        expect(await run({ slidingWindow: true })).toEqual([]);
        expect(ids(await run({ slidingWindow: false }))).toEqual(['code.set_then_expire']);
      });
    });

    it('setThenExpire: the documented rule on counts', () => {
      const c = (o: Partial<ReturnType<typeof writeCounts>>) => ({ ...writeCounts({}), ...o });
      expect(setThenExpire(c({ plainSet: 50, expires: 25 }), false).raised).toBe(true);
      expect(setThenExpire(c({ plainSet: 50, expires: 24 }), false).raised).toBe(false);
      expect(setThenExpire(c({ plainSet: 50, expires: 100 }), false).raised).toBe(true);
      expect(setThenExpire(c({ plainSet: 50, expires: 101 }), false).raised).toBe(false);
      expect(setThenExpire(c({ plainSet: 49, expires: 49 }), false).raised).toBe(false);
      expect(setThenExpire(c({ plainSet: 100, expires: 100, atomicWrites: 10 }), true).raised).toBe(true);
      expect(setThenExpire(c({ plainSet: 100, expires: 100, atomicWrites: 11 }), true).raised).toBe(false);
      expect(setThenExpire(c({ plainSet: 100, expires: 1000, reads: 900 }), true)).toMatchObject({
        raised: true,
        creationExpires: 100,
      });
    });
  });

  describe('over several nodes', () => {
    it('commandstats and the sample are summed: 30 + 30 SET + EXPIRE reach the minimum together', async () => {
      const other = await startRedisServer();
      const second = new Redis(other.url);
      try {
        await app.setThenExpire(client, 30, 'a');
        await app.setThenExpire(second, 30, 'b');
        expect(await run({ clients: [client] })).toEqual([]);

        const f = byId(await run({ clients: [client, second] }), 'code.set_then_expire');
        expect(f.evidence).toMatchObject({ setCalls: 60, expireCalls: 60 });
      } finally {
        second.disconnect();
        await other.stop();
      }
    });
  });

  describe('INFO commandstats parsing', () => {
    it('reads a real reply (Redis 7 fields) and sums the calls over nodes', async () => {
      await client.set('a', '1');
      await client.set('b', '2', 'EX', 10);
      await client.setex('c', 10, '3');
      const info = parseInfo(await client.info('commandstats'));
      expect(info.cmdstat_set).toMatch(/^calls=2,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=0$/);
      expect(parseCommandStats(info, 'x')).toMatchObject({
        set: { calls: 2, rejectedCalls: 0, failedCalls: 0 },
        setex: { calls: 1 },
      });
      const node = new IoRedisNode(client);
      const summed = await readCommandCalls([node, node]);
      expect(summed).toMatchObject({ set: 4, setex: 2 });
    });

    it('a broken line is an error naming the node', () => {
      expect(() => parseCommandStats({ cmdstat_set: 'usec=3' }, '10.0.0.1:6379')).toThrow(
        'Redis at 10.0.0.1:6379 sent an INFO commandstats line that could not be read (cmdstat_set:usec=3).',
      );
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
      const down = await startRedisServer();
      await down.stop();
      const cfg = config(down.url);
      const store = openSessionStore(cfg.environments.dev!, {});
      try {
        const report = await runDiagnosis(
          { config: cfg, registry: createCheckRegistry([writePatternCheck]), sourcesFor: () => ({ redis: store }) },
          { envName: 'dev' },
        );
        expect(report.checks).toMatchObject([{ id: 'write-pattern', status: 'error' }]);
        expect(report.checks[0]?.message).toMatch(/unreachable/);
        expect(report.findings.map((f) => f.id)).toEqual(['redis.unreachable']);
      } finally {
        await store.close();
      }
    });

    it('SET without TTL alone ranks runbook Scenario 2 first, as likely', async () => {
      // Given healthy SETEX sessions and some written with a plain SET, and no Kubernetes source
      await app.setex(client, 200);
      await app.plainSet(client, 20);
      const cfg = config(sharedRedisUrl());
      const store = openSessionStore(cfg.environments.dev!, {});
      try {
        const report = await runDiagnosis(
          { config: cfg, registry: createCheckRegistry(allChecks), sourcesFor: () => ({ redis: store }) },
          { envName: 'dev' },
        );
        expect(report.checks.find((c) => c.id === 'write-pattern')?.status).toBe('findings');
        expect(report.scenarios[0]).toMatchObject({ scenario: 2, likelihood: 'likely' });
        expect(report.scenarios[0]?.evidence).toContain('code.set_without_ttl');
        expect(report.scenarios.filter((sc) => sc.likelihood === 'likely').map((sc) => sc.scenario)).toEqual([2]);
      } finally {
        await store.close();
      }
    });
  });
});
