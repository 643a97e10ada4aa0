import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStreamStore } from '../../src/adapters/state/memory-stream-store.js';
import { redisStreamStore } from '../../src/adapters/state/redis-stream-store.js';
import type { StreamStore } from '../../src/core/ports/stream-store.js';
import { AUDIT_COUNTER, createAudit, type AuditInput } from '../../src/remediation/audit.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { freePort } from '../support/redis-server.js';
import { resetSharedRedis } from '../support/shared-redis.js';
import { testClock } from './state-stores.js';

const apply: AuditInput = {
  event: 'apply',
  actor: { userId: 'U0SRE', teamId: 'T1' },
  channelId: 'C0INCIDENT',
  env: 'prod',
  action: 'set-eviction-policy',
  pendingId: 'AAAAAAAAAAAAAAAAAAAAAA',
  params: { policy: 'volatile-lru' },
  changes: [
    {
      kind: 'redis-config',
      node: '10.0.0.1:6379',
      parameter: 'maxmemory-policy',
      before: 'allkeys-lru',
      after: 'volatile-lru',
      // Kept through the audit (the one Change schema): a cluster node's role when planned.
      role: 'master',
    },
  ],
  result: 'applied on 1 node',
  dryRun: false,
};

let client: Redis | undefined;
afterEach(async () => {
  await client?.quit();
  client = undefined;
});

const kinds: { name: string; open(): Promise<{ streams: StreamStore; redis?: Redis }> }[] = [
  { name: 'memory', open: async () => ({ streams: memoryStreamStore() }) },
  {
    name: 'redis',
    async open() {
      client = await resetSharedRedis();
      return { streams: redisStreamStore(client), redis: client };
    },
  },
];

describe.each(kinds)('remediation audit in the $name stream store', (kind) => {
  async function setup(maxLen?: number) {
    const { streams, redis } = await kind.open();
    const clock = testClock();
    const logs = captureLogs('info');
    const registry = new Registry();
    const audit = createAudit({
      streams,
      logger: logs.logger,
      registry,
      now: clock.now,
      environments: ['prod', 'staging'],
      ...(maxLen ? { maxLen } : {}),
    });
    return { audit, clock, logs, registry, redis };
  }

  it('records who, when, where, what, before/after, result and dry-run, and reads them back newest first', async () => {
    const { audit, clock } = await setup();
    await audit.record({ ...apply, event: 'request', result: 'requested' });
    clock.advance(1000);
    await audit.record({ ...apply, event: 'approval', actor: { userId: 'U0APPROVER' }, result: '1 of 1' });
    clock.advance(1000);
    await audit.record(apply);
    await audit.record({ ...apply, env: 'staging' });

    const recent = await audit.recent('prod', 2);
    expect(recent.map((e) => e.event)).toEqual(['apply', 'approval']);
    expect(recent[0]).toMatchObject({ ...apply, at: Date.UTC(2026, 11, 1, 12, 0, 2), id: expect.any(String) });
    expect((await audit.recent('prod', 10)).map((e) => e.event)).toEqual(['apply', 'approval', 'request']);
    expect(await audit.recent('dev', 10)).toEqual([]);
  });

  it('caps each stream', async () => {
    const { audit, redis } = await setup(50);
    for (let i = 0; i < 600; i++) await audit.record({ ...apply, result: `#${i}` });
    const recent = await audit.recent('prod', 1000);
    // MAXLEN ~ trims whole stream nodes (100 entries by default), so Redis keeps somewhat more than 50.
    expect(recent.length).toBeGreaterThanOrEqual(50);
    expect(recent.length).toBeLessThanOrEqual(kind.name === 'redis' ? 150 : 50);
    if (redis) expect(await redis.xlen('session-ttl-bot:remediation:audit:prod')).toBe(recent.length);
    expect(recent[0]?.result).toBe('#599');
  });

  it('counts events with bounded labels (env, action, event; never a user) on the registry passed in', async () => {
    const { audit, registry } = await setup();
    await audit.record(apply);
    await audit.record(apply);
    await audit.record({ ...apply, event: 'denial', actor: { userId: 'U0STRANGER' }, result: 'not in a role' });
    await audit.record({
      event: 'denial',
      actor: { userId: 'U0X' },
      env: 'made-up-env',
      result: 'verify denied',
      dryRun: false,
    });
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === AUDIT_COUNTER);
    const values = (metric?.values ?? []).map((v) => [v.labels, v.value]);
    expect(values).toEqual(
      expect.arrayContaining([
        [{ env: 'prod', action: 'set-eviction-policy', event: 'apply' }, 2],
        [{ env: 'prod', action: 'set-eviction-policy', event: 'denial' }, 1],
        [{ env: 'unknown', action: 'none', event: 'denial' }, 1],
      ]),
    );
    expect(values).toHaveLength(3);
    expect(await registry.metrics()).not.toMatch(/U0/);
    // A second audit on the same registry shares the counter instead of failing to register it.
    const again = createAudit({
      streams: memoryStreamStore(),
      logger: captureLogs().logger,
      registry,
      now: Date.now,
      environments: ['prod'],
    });
    await again.record(apply);
    expect(
      (await registry.getSingleMetric(AUDIT_COUNTER)?.get())?.values.find((v) => v.labels.event === 'apply')?.value,
    ).toBe(3);
  });

  it('writes each entry to the log', async () => {
    const { audit, logs } = await setup();
    await audit.record({ ...apply, event: 'failure', result: 'CONFIG SET refused: NOPERM', dryRun: true });
    const line = logs.lines.find((l) => l.msg === 'remediation audit: failure');
    expect(line?.audit).toMatchObject({
      event: 'failure',
      env: 'prod',
      action: 'set-eviction-policy',
      actor: { userId: 'U0SRE' },
      dryRun: true,
      result: 'CONFIG SET refused: NOPERM',
    });
  });
});

describe('remediation audit when the state Redis does not answer', () => {
  it('still logs and counts the entry, and says it was not stored', async () => {
    const down = new Redis({
      port: await freePort(),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on('error', () => undefined);
    const logs = captureLogs('info');
    const registry = new Registry();
    const audit = createAudit({
      streams: redisStreamStore(down),
      logger: logs.logger,
      registry,
      now: Date.now,
      environments: ['prod'],
    });
    expect(await audit.record(apply)).toEqual({ stored: false });
    expect(logs.lines.find((l) => l.level === 50)).toMatchObject({
      msg: 'remediation audit: apply (not stored in the audit stream)',
      audit: { pendingId: apply.pendingId },
    });
    expect((await registry.getSingleMetric(AUDIT_COUNTER)?.get())?.values[0]?.value).toBe(1);
    down.disconnect();
  });
});
