import { afterEach, describe, expect, it } from 'vitest';
import { createPendingActions, type PendingActions } from '../../src/remediation/pending.js';
import type { Plan } from '../../src/remediation/types.js';
import { storeKinds, testClock } from './state-stores.js';

const plan: Plan = {
  action: 'set-eviction-policy',
  env: 'prod',
  params: { policy: 'volatile-lru' },
  summary: 'Set maxmemory-policy to volatile-lru on 1 node and in ConfigMap redis-session-config',
  changes: [
    {
      kind: 'redis-config',
      node: '10.0.0.1:6379',
      parameter: 'maxmemory-policy',
      before: 'allkeys-lru',
      after: 'volatile-lru',
    },
    {
      kind: 'configmap',
      namespace: 'langgraph-agent',
      name: 'redis-session-config',
      key: 'redis.conf',
      before: 'maxmemory-policy allkeys-lru',
      after: 'maxmemory-policy volatile-lru',
      diff: ['-maxmemory-policy allkeys-lru', '+maxmemory-policy volatile-lru'],
      resourceVersion: '4711',
    },
    { kind: 'rollout-restart', namespace: 'langgraph-agent', deployment: 'redis-session', resourceVersion: '99' },
  ],
  fixes: [],
  doesNotFix: [],
  risks: [],
  warnings: [],
  noop: false,
};
const requester = { userId: 'U0REQ', teamId: 'T1', channelId: 'C0INCIDENT' };

describe.each(storeKinds())('pending actions in the $name state store', (kind) => {
  afterEach(() => kind.close());

  async function setup() {
    const clock = testClock();
    const store = await kind.open(clock.now);
    const pending = createPendingActions({ store, now: clock.now, ttlMinutes: 30 });
    const replicaStore = async (): Promise<PendingActions> =>
      createPendingActions({ store: await kind.replica(), now: clock.now, ttlMinutes: 30 });
    return { clock, store, pending, replicaStore };
  }

  it('creates an unguessable, validated record with the preview resourceVersions and reads it back', async () => {
    const { pending, clock } = await setup();
    const a = await pending.create({ plan, requester, approvalsRequired: 1 });
    const b = await pending.create({ plan, requester, approvalsRequired: 1 });
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.id).not.toBe(b.id);
    expect(a).toMatchObject({
      env: 'prod',
      action: 'set-eviction-policy',
      params: { policy: 'volatile-lru' },
      status: 'pending',
      createdAt: clock.now(),
      expiresAt: clock.now() + 30 * 60_000,
      resourceVersions: [
        { kind: 'configmap', namespace: 'langgraph-agent', name: 'redis-session-config', resourceVersion: '4711' },
        { kind: 'deployment', namespace: 'langgraph-agent', name: 'redis-session', resourceVersion: '99' },
      ],
    });
    expect(await pending.get(a.id)).toEqual(a);
    expect(await pending.get('not-an-id')).toBeUndefined();
  });

  it('refuses self-approval and a second approval by the same person', async () => {
    const { pending } = await setup();
    const rec = await pending.create({ plan, requester, approvalsRequired: 2 });
    expect(await pending.approve(rec.id, { userId: 'U0REQ' })).toMatchObject({ ok: false, reason: 'self_approval' });
    expect(await pending.approve(rec.id, { userId: 'U0A' })).toMatchObject({ ok: true, decided: false });
    expect(await pending.approve(rec.id, { userId: 'U0A' })).toMatchObject({ ok: false, reason: 'already_approved' });
    expect((await pending.get(rec.id))?.approvals.map((a) => a.userId)).toEqual(['U0A']);
  });

  it('refuses an expired request: approve, consume and reject', async () => {
    const { pending, clock } = await setup();
    const rec = await pending.create({ plan, requester, approvalsRequired: 1 });
    clock.advance(30 * 60_000);
    for (const r of [
      await pending.approve(rec.id, { userId: 'U0A' }),
      await pending.consume(rec.id, { userId: 'U0A' }),
      await pending.reject(rec.id, { userId: 'U0A' }),
    ]) {
      expect(r).toMatchObject({
        ok: false,
        reason: 'expired',
        message: expect.stringMatching(/expired at 2026-12-01T12:30:00.000Z/),
      });
    }
  });

  it('does not consume before the approvals are in; with approvals: 0 the requester may', async () => {
    const { pending } = await setup();
    const needs = await pending.create({ plan, requester, approvalsRequired: 1 });
    expect(await pending.consume(needs.id, { userId: 'U0REQ' })).toMatchObject({
      ok: false,
      reason: 'awaiting_approval',
    });
    const free = await pending.create({ plan, requester, approvalsRequired: 0 });
    expect(free.status).toBe('approved');
    expect(await pending.consume(free.id, { userId: 'U0REQ' })).toMatchObject({
      ok: true,
      record: { status: 'applying' },
    });
  });

  it('keeps the record after apply and answers a second click with who and when', async () => {
    const { pending, clock } = await setup();
    const rec = await pending.create({ plan, requester, approvalsRequired: 1 });
    await pending.approve(rec.id, { userId: 'U0APPROVER' });
    clock.advance(1000);
    expect(await pending.consume(rec.id, { userId: 'U0APPROVER' })).toMatchObject({ ok: true });
    expect(await pending.finish(rec.id, { ok: true })).toMatchObject({ ok: true, record: { status: 'applied' } });
    expect(await pending.consume(rec.id, { userId: 'U0OTHER' })).toMatchObject({
      ok: false,
      reason: 'already_decided',
      message: 'Already applied by <@U0APPROVER> at 2026-12-01T12:00:01.000Z.',
      record: { status: 'applied', consumed: { userId: 'U0APPROVER' } },
    });
  });

  it('rejection is final and answered with who and when', async () => {
    const { pending } = await setup();
    const rec = await pending.create({ plan, requester, approvalsRequired: 1 });
    expect(await pending.reject(rec.id, { userId: 'U0SRE' }, 'not during peak')).toMatchObject({
      ok: true,
      record: { status: 'rejected', rejected: { userId: 'U0SRE', reason: 'not during peak' } },
    });
    expect(await pending.approve(rec.id, { userId: 'U0A' })).toMatchObject({
      ok: false,
      reason: 'already_decided',
      message: expect.stringMatching(/^Already rejected by <@U0SRE>/),
    });
    expect(await pending.consume(rec.id, { userId: 'U0A' })).toMatchObject({ ok: false, reason: 'already_decided' });
  });

  it('two concurrent approvals with approvals: 1 -> exactly one decides, the other is told it is decided', async () => {
    const { pending, replicaStore } = await setup();
    const rec = await pending.create({ plan, requester, approvalsRequired: 1 });
    const other = await replicaStore();
    const results = await Promise.all([
      pending.approve(rec.id, { userId: 'U0A' }),
      other.approve(rec.id, { userId: 'U0B' }),
    ]);
    expect(results.filter((r) => r.ok && r.decided)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'already_decided')).toHaveLength(1);
    expect((await pending.get(rec.id))?.approvals).toHaveLength(1);
  });

  it('concurrent approvals with approvals: 3 all count, and exactly one decides', async () => {
    const { pending, replicaStore } = await setup();
    const rec = await pending.create({ plan, requester, approvalsRequired: 3 });
    const replicas = await Promise.all([0, 1, 2].map(() => replicaStore()));
    const results = await Promise.all(replicas.map((p, i) => p.approve(rec.id, { userId: `U0A${i}` })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && r.decided)).toHaveLength(1);
    const after = await pending.get(rec.id);
    expect(after?.status).toBe('approved');
    expect(after?.approvals.map((a) => a.userId).sort()).toEqual(['U0A0', 'U0A1', 'U0A2']);
  });

  it('20 concurrent consumers of one pending id (separate connections for Redis) -> exactly one wins', async () => {
    const { pending, replicaStore } = await setup();
    const rec = await pending.create({ plan, requester, approvalsRequired: 0 });
    const consumers = await Promise.all(Array.from({ length: 20 }, () => replicaStore()));
    const results = await Promise.all(consumers.map((p, i) => p.consume(rec.id, { userId: `U0C${i}` })));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const losers = results.filter((r) => !r.ok);
    expect(losers.every((r) => !r.ok && r.reason === 'already_decided')).toBe(true);
    const winner = winners[0]!.ok ? winners[0]!.record.consumed?.userId : undefined;
    expect((await pending.get(rec.id))?.consumed?.userId).toBe(winner);
  });

  it('refuses a record that is not valid in the store instead of acting on it', async () => {
    const { pending, store } = await setup();
    const rec = await pending.create({ plan, requester, approvalsRequired: 0 });
    await store.set(`remediation:pending:${rec.id}`, JSON.stringify({ ...rec, status: 'done' }), 60_000);
    await expect(pending.consume(rec.id, { userId: 'U0A' })).rejects.toThrow(/invalid record \(status: /);
  });
});
