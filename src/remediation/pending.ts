import { findingRefSchema, type FindingRef } from './finding-ref.js';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { REMEDIATION_DEFAULTS } from '../config/remediation.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import type { Plan } from './types.js';

/** An id is 16 random bytes, base64url: unguessable, so a button value cannot be forged into another's. */
const ID = /^[A-Za-z0-9_-]{22}$/;

const stamp = z.object({ userId: z.string().min(1), at: z.number() });

/** A resourceVersion read for the preview; apply compares it with the object's current one. */
const resourceVersionSchema = z.object({
  kind: z.enum(['configmap', 'deployment']),
  namespace: z.string(),
  name: z.string(),
  resourceVersion: z.string(),
});

const STATUSES = ['pending', 'approved', 'applying', 'applied', 'failed', 'rejected'] as const;

/**
 * A requested action waiting for approvals and the apply click, as stored (checked on every read).
 *
 * Status: `pending` (approvals missing) -> `approved` (enough approvals, or none needed) -> `applying`
 * (consumed, exactly once) -> `applied` | `failed`; `pending`/`approved` -> `rejected`. Past `expiresAt`
 * a `pending` or `approved` record is expired and nothing more happens to it.
 */
export const pendingActionSchema = z.object({
  id: z.string().regex(ID),
  env: z.string().min(1),
  /** An id of the action registry (checked again when the action is looked up). */
  action: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  /** The plan's one-line summary, for messages about the record. */
  summary: z.string(),
  resourceVersions: z.array(resourceVersionSchema),
  requester: z.object({ userId: z.string().min(1), teamId: z.string(), channelId: z.string() }),
  createdAt: z.number(),
  expiresAt: z.number(),
  approvalsRequired: z.number().int().nonnegative(),
  approvals: z.array(stamp),
  status: z.enum(STATUSES),
  rejected: stamp.extend({ reason: z.string().optional() }).optional(),
  /** The finding the fix was offered for (a report's button), for the GitOps pull request's text. */
  finding: findingRefSchema.optional(),
  /** Set on a request to revert: the revert record's id (approving it restores those values). */
  revertOf: z.string().optional(),
  /** Who submitted the preview (made the request), and when: a request is made once. */
  requested: stamp.optional(),
  /** Who clicked apply (consumed the record), and when. */
  consumed: stamp.optional(),
  /** When the apply finished, and what it said. */
  finished: z.object({ at: z.number(), detail: z.string().optional() }).optional(),
});

export type PendingAction = z.infer<typeof pendingActionSchema>;
export type PendingStatus = PendingAction['status'];
export type Requester = PendingAction['requester'];

/** Why an operation on a pending action was refused; `message` is written for the person clicking. */
export type PendingRefusal = {
  ok: false;
  reason:
    | 'not_found'
    | 'expired'
    | 'self_approval'
    | 'already_approved'
    | 'already_decided'
    | 'already_requested'
    | 'awaiting_approval';
  message: string;
  record?: PendingAction;
};

export type ApproveResult =
  { ok: true; record: PendingAction; /** This approval was the last one needed. */ decided: boolean } | PendingRefusal;
export type PendingResult = { ok: true; record: PendingAction } | PendingRefusal;

export interface PendingActions {
  /**
   * Stores a new request for `plan` (or, with `revertOf`, to revert a change); `approvalsRequired` 0 makes
   * it `approved` at once.
   */
  create(input: {
    plan: Plan;
    requester: Requester;
    approvalsRequired: number;
    revertOf?: string;
    finding?: FindingRef;
  }): Promise<PendingAction>;
  get(id: string): Promise<PendingAction | undefined>;
  /**
   * Marks the preview as submitted, exactly once: of any number of concurrent submissions one gets
   * `ok: true`; the others `already_requested`, or `already_decided` once it was applied or rejected.
   */
  markRequested(id: string, by: { userId: string }): Promise<PendingResult>;
  /** Adds an approval; refuses the requester, a second approval by the same person, expired and decided records. */
  approve(id: string, approver: { userId: string }): Promise<ApproveResult>;
  reject(id: string, by: { userId: string }, reason?: string): Promise<PendingResult>;
  /**
   * Claims an approved record for applying, exactly once: of any number of concurrent callers (on any
   * replica) one gets `ok: true`; the others get `already_decided` with the record saying who and when.
   */
  consume(id: string, by: { userId: string }): Promise<PendingResult>;
  /** Records the outcome of a consumed record's apply. */
  finish(id: string, outcome: { ok: boolean; detail?: string }): Promise<PendingResult>;
}

export interface PendingActionsDeps {
  store: CasStateStore;
  now: () => number;
  /** Minutes until a request expires (`remediation.pendingTtlMinutes`). */
  ttlMinutes?: number;
  /** How long a record stays readable after it expires or is decided, to answer late clicks. */
  keepMs?: number;
  randomId?: () => string;
}

const DAY_MS = 24 * 3600 * 1000;
const MAX_ATTEMPTS = 100;

/** Thrown when the state store holds something that is not a pending record (an internal error). */
export class PendingRecordError extends Error {
  override name = 'PendingRecordError';
}

const iso = (ms: number) => new Date(ms).toISOString();
const who = (userId: string) => `<@${userId}>`;

function decidedMessage(r: PendingAction): string {
  switch (r.status) {
    case 'rejected':
      return `Already rejected by ${who(r.rejected?.userId ?? '?')} at ${iso(r.rejected?.at ?? 0)}.`;
    case 'applying':
      return `Already being applied by ${who(r.consumed?.userId ?? '?')} since ${iso(r.consumed?.at ?? 0)}.`;
    case 'applied':
      return `Already applied by ${who(r.consumed?.userId ?? '?')} at ${iso(r.consumed?.at ?? 0)}.`;
    case 'failed':
      return (
        `Already attempted by ${who(r.consumed?.userId ?? '?')} at ${iso(r.consumed?.at ?? 0)}; ` +
        `it failed${r.finished?.detail ? `: ${r.finished.detail}` : ''}.`
      );
    case 'approved': {
      const last = r.approvals.at(-1);
      return last
        ? `Already approved by ${who(last.userId)} at ${iso(last.at)}; it is waiting to be applied.`
        : 'This request needs no approval; it is waiting to be applied.';
    }
    case 'pending':
      return 'This request is waiting for approval.';
  }
}

function resourceVersionsOf(plan: Plan): PendingAction['resourceVersions'] {
  return plan.changes.flatMap((c): PendingAction['resourceVersions'] => {
    if (c.kind === 'configmap')
      return [{ kind: 'configmap', namespace: c.namespace, name: c.name, resourceVersion: c.resourceVersion }];
    if (c.kind === 'rollout-restart')
      return [{ kind: 'deployment', namespace: c.namespace, name: c.deployment, resourceVersion: c.resourceVersion }];
    return [];
  });
}

/** A stored record, checked; anything else under its key is an internal error. */
function parseRecord(id: string, raw: string): PendingAction {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new PendingRecordError(`pending action ${id}: the state store holds something that is not JSON`);
  }
  const r = pendingActionSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new PendingRecordError(`pending action ${id}: invalid record (${issues})`);
  }
  return r.data;
}

const notFound = (): PendingRefusal => ({
  ok: false,
  reason: 'not_found',
  message: 'This request no longer exists (it expired long ago or never existed). Request the action again.',
});
const expired = (r: PendingAction): PendingRefusal => ({
  ok: false,
  reason: 'expired',
  message: `This request expired at ${iso(r.expiresAt)}. Request the action again to see a fresh preview.`,
  record: r,
});
const decided = (r: PendingAction): PendingRefusal => ({
  ok: false,
  reason: 'already_decided',
  message: decidedMessage(r),
  record: r,
});

/** Pending or approved: still waiting for a decision or the apply. */
const isOpen = (r: PendingAction) => r.status === 'pending' || r.status === 'approved';

/**
 * What a late click on a record that is no longer open is told ("Already applied by <@U1> at …"); undefined
 * while it is open. A late click is not a denial: it changes nothing and names who decided.
 */
export function closedMessage(r: PendingAction): string | undefined {
  return isOpen(r) ? undefined : decidedMessage(r);
}

/** A decision on a record: the next record to write, or a refusal. */
type Transition = (r: PendingAction) => { next: PendingAction } | PendingRefusal;

/** Why an open, unexpired record cannot take `approver`'s approval; undefined when it can. */
function approvalRefusal(rec: PendingAction, approver: { userId: string }): PendingRefusal | undefined {
  if (rec.requester.userId === approver.userId) {
    const message = 'You requested this action, so you cannot approve it: someone else has to.';
    return { ok: false, reason: 'self_approval', message, record: rec };
  }
  if (rec.approvals.some((a) => a.userId === approver.userId))
    return { ok: false, reason: 'already_approved', message: 'You have already approved this request.', record: rec };
  return rec.status === 'approved' ? decided(rec) : undefined;
}

const approveTransition =
  (now: () => number, approver: { userId: string }): Transition =>
  (rec) => {
    if (!isOpen(rec)) return decided(rec);
    if (now() >= rec.expiresAt) return expired(rec);
    const refusal = approvalRefusal(rec, approver);
    if (refusal) return refusal;
    const approvals = [...rec.approvals, { userId: approver.userId, at: now() }];
    return { next: { ...rec, approvals, status: approvals.length >= rec.approvalsRequired ? 'approved' : 'pending' } };
  };

const requestTransition =
  (now: () => number, by: { userId: string }): Transition =>
  (rec) => {
    if (!isOpen(rec)) return decided(rec);
    if (now() >= rec.expiresAt) return expired(rec);
    if (rec.requested) {
      const message =
        `This preview was already submitted by ${who(rec.requested.userId)} at ${iso(rec.requested.at)}; ` +
        "its request is in the report's thread.";
      return { ok: false, reason: 'already_requested', message, record: rec };
    }
    return { next: { ...rec, requested: { userId: by.userId, at: now() } } };
  };

const rejectTransition =
  (now: () => number, by: { userId: string }, reason?: string): Transition =>
  (rec) => {
    if (!isOpen(rec)) return decided(rec);
    if (now() >= rec.expiresAt) return expired(rec);
    const rejected = { userId: by.userId, at: now(), ...(reason ? { reason } : {}) };
    return { next: { ...rec, status: 'rejected', rejected } };
  };

const consumeTransition =
  (now: () => number, by: { userId: string }): Transition =>
  (rec) => {
    if (!isOpen(rec)) return decided(rec);
    if (now() >= rec.expiresAt) return expired(rec);
    if (rec.status === 'pending') {
      const missing = rec.approvalsRequired - rec.approvals.length;
      const message = `This request needs ${missing} more approval(s) before it can be applied.`;
      return { ok: false, reason: 'awaiting_approval', message, record: rec };
    }
    return { next: { ...rec, status: 'applying', consumed: { userId: by.userId, at: now() } } };
  };

const finishTransition =
  (now: () => number, outcome: { ok: boolean; detail?: string }): Transition =>
  (rec) => {
    if (rec.status !== 'applying') return decided(rec);
    const finished = { at: now(), ...(outcome.detail ? { detail: outcome.detail } : {}) };
    return { next: { ...rec, status: outcome.ok ? 'applied' : 'failed', finished } };
  };

/** The records in the state store: read, and compare-and-set of a whole record retried on conflict. */
function recordStore(deps: PendingActionsDeps) {
  const { store, now } = deps;
  const keepMs = deps.keepMs ?? DAY_MS;
  const key = (id: string) => `remediation:pending:${id}`;
  const storeTtl = (r: PendingAction) => Math.max(1, (isOpen(r) ? r.expiresAt : now()) + keepMs - now());
  return {
    async claim(record: PendingAction): Promise<boolean> {
      return store.claim(key(record.id), JSON.stringify(record), storeTtl(record));
    },
    async get(id: string): Promise<PendingAction | undefined> {
      if (!ID.test(id)) return undefined;
      const raw = await store.get(key(id));
      return raw === undefined ? undefined : parseRecord(id, raw);
    },
    /** Reads, lets `change` decide, writes only if nobody wrote in between; otherwise reads again. */
    async update(
      id: string,
      change: Transition,
    ): Promise<{ ok: true; record: PendingAction; before: PendingAction } | PendingRefusal> {
      if (!ID.test(id)) return notFound();
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const raw = await store.get(key(id));
        if (raw === undefined) return notFound();
        const before = parseRecord(id, raw);
        const r = change(before);
        if ('ok' in r) return r;
        if (await store.compareAndSet(key(id), raw, JSON.stringify(r.next), storeTtl(r.next)))
          return { ok: true, record: r.next, before };
      }
      throw new Error(`pending action ${id}: still contended after ${MAX_ATTEMPTS} attempts`);
    },
  };
}

/**
 * Pending remediation requests in the shared state store. Every change is a compare-and-set of the
 * whole record, retried on conflict, so concurrent approvals all count and a consume happens once.
 *
 * @example
 * const pending = createPendingActions({ store, now: Date.now, ttlMinutes: config.remediation.pendingTtlMinutes });
 * const rec = await pending.create({ plan, requester: { userId, teamId, channelId }, approvalsRequired: 1 });
 * // button value: rec.id
 * const claim = await pending.consume(rec.id, { userId });
 * if (!claim.ok) return claim.message; // "Already applied by <@U1> at ..."
 */
export function createPendingActions(deps: PendingActionsDeps): PendingActions {
  const { now } = deps;
  const ttlMs = (deps.ttlMinutes ?? REMEDIATION_DEFAULTS.pendingTtlMinutes) * 60_000;
  const randomId = deps.randomId ?? (() => randomBytes(16).toString('base64url'));
  const records = recordStore(deps);

  return {
    async create({ plan, requester, approvalsRequired, revertOf, finding }) {
      const at = now();
      const record = pendingActionSchema.parse({
        id: randomId(),
        env: plan.env,
        action: plan.action,
        params: plan.params,
        summary: plan.summary,
        resourceVersions: resourceVersionsOf(plan),
        requester,
        createdAt: at,
        expiresAt: at + ttlMs,
        approvalsRequired,
        approvals: [],
        status: approvalsRequired === 0 ? 'approved' : 'pending',
        ...(revertOf ? { revertOf } : {}),
        ...(finding ? { finding } : {}),
      });
      if (!(await records.claim(record))) throw new Error('pending action id collision');
      return record;
    },
    get: (id) => records.get(id),
    markRequested: (id, by) => records.update(id, requestTransition(now, by)),
    async approve(id, approver) {
      const r = await records.update(id, approveTransition(now, approver));
      if (!r.ok) return r;
      return { ok: true, record: r.record, decided: r.before.status === 'pending' && r.record.status === 'approved' };
    },
    reject: (id, by, reason) => records.update(id, rejectTransition(now, by, reason)),
    consume: (id, by) => records.update(id, consumeTransition(now, by)),
    finish: (id, outcome) => records.update(id, finishTransition(now, outcome)),
  };
}
