import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { createSharedDiagnoses, type SharedDiagnoses } from '../../src/alerts/shared-diagnosis.js';
import type { Report } from '../../src/diagnostics/types.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { sampleReport } from '../fixtures/sample-report.js';
import { eventually } from '../support/eventually.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

const KEY = 'session-ttl-bot:alert-diagnosis:prod:default';
const logs = captureLogs();
const req = { env: 'prod', checkIds: undefined, logger: logs.logger };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A diagnosis that takes `ms` and counts its runs. */
function diagnosis(ms = 50, report: Report = sampleReport) {
  const d = {
    runs: 0,
    run: async () => {
      d.runs++;
      await pause(ms);
      return report;
    },
  };
  return d;
}

// Several replicas (each its own connection to the state Redis) answering the same alert for Slack and Teams.
describe('shared alert diagnoses over the state Redis', () => {
  let admin: Redis;
  const clients: Redis[] = [];
  /** A replica: its own connection, its own memory. */
  function replica(o: { ttlMs?: number; leaseMs?: number } = {}): SharedDiagnoses {
    const client = new Redis(sharedRedisUrl());
    clients.push(client);
    return createSharedDiagnoses({ store: redisStateStore(client), pollMs: 20, ...o });
  }

  beforeAll(async () => {
    admin = await resetSharedRedis();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await admin.flushall();
  });
  afterAll(() => admin?.disconnect());

  /** Resolves once a replica holds the lease of the alert's diagnosis (it is running it). */
  const leaseTaken = () =>
    eventually('a replica to take the lease', async () => (await admin.exists(`${KEY}:running`)) === 1);

  it('one run for callers on two replicas at once; the other replica gets the same report from the store', async () => {
    const [a, b] = [replica(), replica()];
    const d = diagnosis(150);
    const results = await Promise.all([a.report(req, d.run), a.report(req, d.run), b.report(req, d.run)]);
    expect(d.runs).toBe(1);
    expect(results.map((r) => r.ran).sort()).toEqual([false, false, true]);
    for (const r of results) expect(r.report).toEqual(sampleReport);
    // The lease is gone and the report kept, with an expiry of at most two minutes.
    expect(await admin.exists(`${KEY}:running`)).toBe(0);
    const ttl = await admin.pttl(KEY);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it('a failed run is not kept: the callers on its replica get the error, the other replica runs it itself', async () => {
    const [a, b] = [replica(), replica()];
    let runs = 0;
    const failing = async (): Promise<Report> => {
      runs++;
      await pause(100);
      throw new Error('prod unreachable');
    };
    const d = diagnosis(10);
    const [first, joined, other] = await Promise.allSettled([
      a.report(req, failing),
      a.report(req, failing),
      // b asks once a runs it
      (async () => (await leaseTaken(), b.report(req, d.run)))(),
    ]);
    expect(runs).toBe(1);
    expect([first.status, joined.status]).toEqual(['rejected', 'rejected']);
    expect(other).toEqual({ status: 'fulfilled', value: { report: sampleReport, ran: true } });
    expect(d.runs).toBe(1);
  });

  it('a replica that died holding the lease holds the others back until the lease expires, then one runs it', async () => {
    // Given a lease left by a replica that died mid-diagnosis
    await admin.set(`${KEY}:running`, 'dead-replica', 'PX', 300);
    const d = diagnosis(10);
    const started = Date.now();
    const r = await replica().report(req, d.run);
    expect(r.ran).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(d.runs).toBe(1);
  });

  it('a run outlasting the lease keeps it (renewed): the other replica waits instead of running it too', async () => {
    const [a, b] = [replica({ leaseMs: 300 }), replica({ leaseMs: 300 })];
    const d = diagnosis(1000);
    const results = await Promise.all([
      a.report(req, d.run),
      (async () => (await leaseTaken(), b.report(req, d.run)))(),
    ]);
    expect(d.runs).toBe(1);
    expect(results.map((r) => r.ran)).toEqual([true, false]);
  });

  it('forget (the incident resolved), an expired result, another environment or check set, a corrupt record: run again', async () => {
    const a = replica({ ttlMs: 200 });
    const d = diagnosis(1);
    await a.report(req, d.run);
    await a.forget('prod', undefined);
    await a.report(req, d.run);
    expect(d.runs).toBe(2);
    // The result is kept ttlMs (200 ms); once that has run out (taken away here rather than waited for), it runs again
    const kept = await admin.pttl(KEY);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(200);
    await admin.del(KEY);
    await a.report(req, d.run);
    expect(d.runs).toBe(3);
    await a.report({ ...req, env: 'staging' }, d.run);
    await a.report({ ...req, checkIds: ['memory'] }, d.run);
    expect(d.runs).toBe(5);
    // The same checks in another order are the same diagnosis
    await a.report({ ...req, checkIds: ['ttl-sample', 'memory'] }, d.run);
    await a.report({ ...req, checkIds: ['memory', 'ttl-sample'] }, d.run);
    expect(d.runs).toBe(6);
    await admin.set(KEY, '{"at":1,"report":{"environment":"prod"}}', 'PX', 60_000);
    expect(await a.report(req, d.run)).toEqual({ report: sampleReport, ran: true });
    expect(d.runs).toBe(7);
  });

  it('the state store down: the diagnosis runs here, and says why in the log', async () => {
    const client = new Redis('redis://127.0.0.1:9', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    client.on('error', () => undefined);
    clients.push(client);
    const down = createSharedDiagnoses({ store: redisStateStore(client) });
    const d = diagnosis(1);
    expect(await down.report(req, d.run)).toEqual({ report: sampleReport, ran: true });
    expect(logs.lines.some((l) => l.msg === 'could not share the alert diagnosis (state store); running it here')).toBe(
      true,
    );
  });
});
