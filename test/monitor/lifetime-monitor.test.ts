import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyspaceFeedOpener } from '../../src/adapters/redis/keyspace-feed.js';
import { memoryStateStore } from '../../src/adapters/state/memory-state-store.js';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { STATE_KEY_PREFIX } from '../../src/core/ports/state-store.js';
import { parseConfig } from '../../src/config/config.js';
import type { CasStateStore } from '../../src/core/ports/cas-state-store.js';
import { createHost } from '../../src/host/host.js';
import { createMetricsFeature } from '../../src/monitor/metrics-feature.js';
import { statusLines } from '../../src/monitor/status-text.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { testClock } from '../remediation/state-stores.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { scrape } from './scrape.js';

const V = 'session_ttl_violations_total';
const L = 'session_actual_lifetime_seconds';

let server: RedisServerHandle;
let bare: RedisServerHandle;
const clients: Redis[] = [];
const client = async (url: string) => {
  const c = new Redis(url, { lazyConnect: true });
  await c.connect();
  clients.push(c);
  return c;
};

beforeAll(async () => {
  [server, bare] = await Promise.all([startRedisServer(['--notify-keyspace-events', 'KEg$xe']), startRedisServer()]);
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.quit()));
  await Promise.all([server?.stop(), bare?.stop()]);
});

// An expected TTL of 2 s, and sessions that should count as on time living 4 s: the monitor reads a TTL
// after the write's notification, and on a loaded machine that read can come a second or two late.
function config(url: string, monitor: Record<string, unknown> = {}) {
  return parseConfig(
    {
      environments: {
        sliding: {
          profile: 'development',
          expectedTtlSeconds: 2,
          slidingWindow: true,
          redis: { url: `${url}/0` },
          monitor,
        },
        fixed: {
          profile: 'development',
          expectedTtlSeconds: 2,
          slidingWindow: false,
          redis: { url: `${url}/1` },
          monitor,
        },
      },
    },
    'test',
  );
}

async function startMonitorHost(opts: {
  url: string;
  store?: CasStateStore;
  replica?: string;
  monitor?: Record<string, unknown>;
  logs?: ReturnType<typeof captureLogs>;
  now?: () => number;
}) {
  const logs = opts.logs ?? captureLogs('info');
  const registry = new Registry();
  const metrics = createMetricsFeature({
    config: config(opts.url, opts.monitor),
    registry,
    store: opts.store ?? memoryStateStore(),
    openFeed: keyspaceFeedOpener({}),
    logger: logs.logger,
    replica: opts.replica ?? 'replica-a',
    processMetrics: false,
    monitorTuning: { noTtlGraceMs: 150, tickMs: 100 },
    ...(opts.now ? { now: opts.now } : {}),
  });
  const host = createHost({
    features: [metrics.feature],
    logger: logs.logger,
    port: 0,
    hostname: '127.0.0.1',
    graceMs: 1000,
  });
  const { port } = await host.start();
  const monitor = (env: string) => metrics.monitors.find((m) => m.env === env)!;
  return { host, port, metrics, monitor, logs, registry };
}

const deadline = { timeout: 8000, interval: 25 };

describe('session lifetime monitor (real redis-server with keyspace notifications)', () => {
  it('counts expirations, evictions, deletions, short and missing TTLs exactly, and the sliding window resets the expectation', async () => {
    const c0 = await client(`${server.url}/0`);
    const c1 = await client(`${server.url}/1`);
    await c0.flushall();
    const run = await startMonitorHost({ url: server.url });
    try {
      await expect
        .poll(() => run.metrics.monitors.map((m) => m.status().state), deadline)
        .toEqual(['watching', 'watching']);
      const events = async (env: string, event: string) =>
        (await scrape(run.port))('session_monitor_events_total', { environment: env, event });

      // Given: sessions in "sliding" (expected TTL 2 s, a write resets the expectation)...
      for (let i = 0; i < 3; i++) await c0.set(`session:exp:${i}`, 'v', 'PX', 4000); // expire on time
      for (let i = 0; i < 2; i++) await c0.set(`session:refresh:${i}`, 'v', 'PX', 8000); // refreshed below, to 4 s
      await c0.set('session:short', 'v', 'PX', 1500); // short_ttl, then expires on its own (short) time
      await c0.set('session:forever', 'v'); // no_ttl
      for (let i = 0; i < 3; i++) await c0.set(`session:gone:${i}`, 'v', 'PX', 60_000);
      await c0.del('session:gone:0', 'session:gone:1');
      await c0.unlink('session:gone:2'); // deleted x3
      // ...and in "fixed" (no sliding window): the first TTL is the expectation, so a later PEXPIRE 300 ends early.
      for (let i = 0; i < 2; i++) await c1.set(`session:early:${i}`, 'v', 'PX', 10_000);
      await expect.poll(() => events('fixed', 'set'), deadline).toBe(2);
      await run.monitor('fixed').settled();
      for (let i = 0; i < 2; i++) await c1.pexpire(`session:early:${i}`, 300);
      // When: the refresh (a sliding-window write) sets 4 s: ending ~4.5 s after the first write is no
      // early expiration, since the refresh reset the expectation (without the reset, 4.5 s < 90% of 8 s).
      await expect.poll(() => events('sliding', 'set'), deadline).toBe(10);
      await new Promise((r) => setTimeout(r, 500)); // the app's think time before its refresh, not a barrier
      for (let i = 0; i < 2; i++) await c0.pexpire(`session:refresh:${i}`, 4000);

      // Then: every expiring session ended, and was judged.
      await expect
        .poll(async () => (await scrape(run.port))(`${L}_count`, { environment: 'sliding' }), deadline)
        .toBe(3 + 2 + 1 + 3);
      await expect.poll(async () => (await scrape(run.port))(`${L}_count`, { environment: 'fixed' }), deadline).toBe(2);
      let m = await scrape(run.port);
      expect({
        sliding: ['deleted', 'early_expiration', 'no_ttl', 'short_ttl', 'evicted'].map((reason) =>
          m(V, { environment: 'sliding', reason }),
        ),
        fixed: ['deleted', 'early_expiration', 'no_ttl', 'short_ttl', 'evicted'].map((reason) =>
          m(V, { environment: 'fixed', reason }),
        ),
      }).toEqual({ sliding: [3, 0, 1, 1, 0], fixed: [0, 2, 0, 0, 0] });
      // Lifetimes of seconds fall in the runbook's first bucket; the refreshed ones lived over 4.5 s (less a
      // margin: a write the monitor sees late starts its lifetime late).
      expect(m(`${L}_bucket`, { environment: 'sliding', le: '300' })).toBe(9);
      expect(m(`${L}_sum`, { environment: 'sliding' })).toBeGreaterThan(3 * 4 + 2 * 4.5 + 1.5 - 1.5);
      expect(m('session_monitor_sample_rate', { environment: 'sliding' })).toBe(1);

      // When: memory runs out under allkeys-lru.
      await c0.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const used = Number(/used_memory:(\d+)/.exec(await c0.info('memory'))![1]);
      await c0.config('SET', 'maxmemory', String(used + 400_000));
      const big = 'x'.repeat(1024);
      for (let chunk = 0; chunk < 6; chunk++) {
        const p = c0.pipeline();
        for (let i = 0; i < 200; i++) p.set(`session:fill:${chunk}:${i}`, big, 'PX', 60_000);
        await p.exec();
      }
      // Any command evicts while over the limit (the monitor's PTTL reads too): read the total once it is lifted.
      await c0.config('SET', 'maxmemory', '0');
      const evicted = Number(/evicted_keys:(\d+)/.exec(await c0.info('stats'))![1]);
      expect(evicted).toBeGreaterThan(0);
      // Then: exactly as many evicted sessions as Redis evicted.
      await expect
        .poll(async () => (await scrape(run.port))(V, { environment: 'sliding', reason: 'evicted' }), deadline)
        .toBe(evicted);
      m = await scrape(run.port);
      expect(m(`${L}_count`, { environment: 'sliding' })).toBe(9 + evicted);
      expect(m(V, { environment: 'sliding', reason: 'deleted' })).toBe(3);
      expect(m('session_monitor_tracked_sessions', { environment: 'sliding' })).toBeGreaterThanOrEqual(0);
      // The status snapshot (refreshed each lease tick) says the same.
      const lines = async () => statusLines(await run.metrics.status('sliding')).join('\n');
      await expect
        .poll(lines, deadline)
        .toContain(`evicted ${evicted}, deleted 3, early_expiration 0, no_ttl 1, short_ttl 1`);
      expect(await lines()).toContain('watching by replica replica-a');
    } finally {
      await run.host.stop();
      await c0.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('status says what ended normally and what ended early, also for sessions written before the monitor watched', async () => {
    const c0 = await client(`${server.url}/0`);
    await c0.flushall();
    // Given: three sessions written before the monitor starts (found by its scan: their start is unknown).
    for (let i = 0; i < 3; i++) await c0.set(`session:old:${i}`, 'v', 'PX', 60_000);
    const run = await startMonitorHost({ url: server.url });
    try {
      const sliding = run.monitor('sliding');
      await expect.poll(() => sliding.status().state, deadline).toBe('watching');
      expect(sliding.status().tracked).toBe(3);
      // When: the app refreshes them to 1.5 s (they then expire at their TTL), and a new session is deleted.
      for (let i = 0; i < 3; i++) await c0.pexpire(`session:old:${i}`, 1500);
      await c0.set('session:bye', 'v', 'PX', 60_000);
      await expect
        .poll(
          async () =>
            (await scrape(run.port))('session_monitor_events_total', { environment: 'sliding', event: 'set' }),
          deadline,
        )
        .toBe(1);
      await sliding.settled();
      await c0.del('session:bye');
      await expect
        .poll(
          async () =>
            (await scrape(run.port))('session_monitor_events_total', { environment: 'sliding', event: 'expired' }),
          deadline,
        )
        .toBe(3);
      // Then: the status counts the three as ended normally and the deletion as early; lifetimes are known for
      // the one session whose first write the monitor saw.
      const lines = async () => statusLines(await run.metrics.status('sliding')).join('\n');
      await expect
        .poll(lines, deadline)
        .toContain(
          'ended in the last hour: 4 session(s): 3 normally (expired at their TTL), 1 early (expired early 0, evicted 0, deleted 1)',
        );
      expect(await lines()).toContain('(of the 1 whose first write the monitor saw)');
      expect(await lines()).not.toContain('no session ended');
    } finally {
      await run.host.stop();
    }
  });

  it("neither tracks nor counts the bot's own verify canary (written, then removed as verify removes it)", async () => {
    const c0 = await client(`${server.url}/0`);
    await c0.flushall();
    // Given: a canary left before the monitor starts (its scan must skip it too).
    await c0.set('session:ttl-canary-00000000000000aa', 'canary', 'EX', 60);
    const run = await startMonitorHost({ url: server.url });
    try {
      const sliding = run.monitor('sliding');
      await expect.poll(() => sliding.status().state, deadline).toBe('watching');
      expect(sliding.status().tracked).toBe(0);
      // When: verify writes a canary and removes it (PEXPIREAT in the past: a "del" notification), and the app
      // deletes one real session.
      await c0.set('session:ttl-canary-00000000000000bb', 'canary', 'EX', 60);
      await c0.set('session:real', 'v', 'PX', 60_000);
      await c0.pexpireat('session:ttl-canary-00000000000000bb', 1);
      await c0.pexpireat('session:ttl-canary-00000000000000aa', 1);
      await c0.del('session:real');
      // Then: only the real session was seen, written and deleted.
      const count = async (name: string, labels: Record<string, string>) =>
        (await scrape(run.port))(name, { environment: 'sliding', ...labels });
      await expect.poll(() => count(V, { reason: 'deleted' }), deadline).toBe(1);
      await sliding.settled();
      expect(await count('session_monitor_events_total', { event: 'set' })).toBe(1);
      expect(await count('session_monitor_events_total', { event: 'del' })).toBe(1);
      expect(await count(V, { reason: 'deleted' })).toBe(1);
      expect(sliding.status().tracked).toBe(0);
    } finally {
      await run.host.stop();
    }
  });

  it('one replica watches at a time; another takes over once the first lost its lease, with no double count', async () => {
    const c0 = await client(`${server.url}/0`);
    await c0.flushall();
    const stateA = await client(server.url);
    const stateB = await client(server.url);
    // The replicas' clock moves only when the test moves it, and the lease is 60 s of Redis's time: a stall
    // of a loaded machine cannot end it early. The test ends it: its clock, then Redis's expiry of the key.
    const clock = testClock(Date.now());
    const monitor = { leaseSeconds: 60 };
    const lease = `${STATE_KEY_PREFIX}monitor:lease:sliding`;
    const a = await startMonitorHost({
      url: server.url,
      store: redisStateStore(stateA),
      replica: 'replica-a',
      monitor,
      now: clock.now,
    });
    const b = await startMonitorHost({
      url: server.url,
      store: redisStateStore(stateB),
      replica: 'replica-b',
      monitor,
      now: clock.now,
    });
    try {
      await expect.poll(() => a.monitor('sliding').status().state, deadline).toBe('watching');
      expect(b.monitor('sliding').status().state).toBe('standby');
      expect(await c0.pttl(lease)).toBeGreaterThan(0);
      // Given: A counts a deletion.
      await c0.set('session:a1', 'v', 'PX', 60_000);
      await c0.set('session:a2', 'v', 'PX', 60_000);
      await c0.del('session:a1');
      await expect
        .poll(async () => (await scrape(a.port))(V, { environment: 'sliding', reason: 'deleted' }), deadline)
        .toBe(1);
      // When: A can no longer renew (its state Redis is gone: as good as dead for the lease), and the lease runs
      // out: on the replicas' clock, then in Redis.
      stateA.disconnect();
      clock.advance(60_000);
      await c0.pexpire(lease, 1);
      // Then: B takes it over at its next tick, at the time the lease ran out.
      await expect.poll(() => b.monitor('sliding').status().state, deadline).toBe('watching');
      expect(await b.monitor('sliding').holder()).toEqual({ holder: 'replica-b', since: clock.now() });
      // And: B found a2 by its scan and counts its end; A, still subscribed, counts nothing more.
      await c0.del('session:a2');
      await c0.set('session:b1', 'v', 'PX', 60_000);
      await c0.del('session:b1');
      await expect
        .poll(async () => (await scrape(b.port))(V, { environment: 'sliding', reason: 'deleted' }), deadline)
        .toBe(2);
      await b.monitor('sliding').settled();
      expect((await scrape(a.port))(V, { environment: 'sliding', reason: 'deleted' })).toBe(1);
      expect((await scrape(a.port))('session_monitor_events_total', { environment: 'sliding', event: 'del' })).toBe(1);
    } finally {
      await Promise.all([a.host.stop(), b.host.stop()]);
    }
  });

  it('counts a reconnect gap (metric and log line) and keeps counting after rebuilding from a scan', async () => {
    const c0 = await client(`${server.url}/0`);
    await c0.flushall();
    const logs = captureLogs('info');
    const run = await startMonitorHost({ url: server.url, logs });
    try {
      await expect.poll(() => run.monitor('sliding').status().state, deadline).toBe('watching');
      await c0.set('session:before', 'v', 'PX', 60_000);
      await expect
        .poll(
          async () =>
            (await scrape(run.port))('session_monitor_events_total', { environment: 'sliding', event: 'set' }),
          deadline,
        )
        .toBe(1);
      // When: the subscription is cut.
      await c0.client('KILL', 'TYPE', 'pubsub');
      // Then: the gap is counted and logged, and the session known before is still tracked.
      await expect
        .poll(async () => (await scrape(run.port))('session_monitor_gaps_total', { environment: 'sliding' }), deadline)
        .toBeGreaterThanOrEqual(1);
      expect(
        logs.lines.some(
          (l) => l.level === 40 && /resubscribed after a gap of .* lost; rebuilding from a scan/.test(l.msg as string),
        ),
      ).toBe(true);
      await expect
        .poll(() => logs.lines.some((l) => l.why === 'reconnect' && l.env === 'sliding'), deadline)
        .toBe(true);
      await c0.del('session:before');
      await expect
        .poll(async () => (await scrape(run.port))(V, { environment: 'sliding', reason: 'deleted' }), deadline)
        .toBe(1);
    } finally {
      await run.host.stop();
    }
  });

  it('reports a store without keyspace notifications (status, /readyz, logs) with the setting to add, and does not change it', async () => {
    const logs = captureLogs('info');
    const run = await startMonitorHost({ url: bare.url, logs });
    try {
      await expect.poll(() => run.monitor('sliding').status().state, deadline).toBe('watching');
      // Each environment's monitor starts on its own: wait for 'fixed' too before reading its status.
      await expect.poll(() => run.monitor('fixed').status().state, deadline).toBe('watching');
      const ready = (await (await fetch(`http://127.0.0.1:${run.port}/readyz`)).json()) as {
        checks: Record<string, { detail: string }>;
      };
      expect(ready.checks.monitor!.detail).toContain('sliding: notify-keyspace-events is "", missing K, g, $, x, e');
      expect(ready.checks.monitor!.detail).toContain('CONFIG SET notify-keyspace-events Kg$xe');
      expect(statusLines(await run.metrics.status('fixed')).join('\n')).toContain(
        'CONFIG SET notify-keyspace-events Kg$xe',
      );
      expect(
        logs.lines.some((l) => l.level === 40 && l.fix?.startsWith('CONFIG SET notify-keyspace-events Kg$xe')),
      ).toBe(true);
      expect((await scrape(run.port))('session_monitor_notifications_ok', { environment: 'sliding' })).toBe(0);
      const c = await client(bare.url);
      expect(await c.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', '']);
    } finally {
      await run.host.stop();
    }
  });
});
