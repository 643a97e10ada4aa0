import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import { parseStored } from '../core/stored-json.js';
import { changeSchema, type Change } from './changes.js';

/**
 * What happened to one planned change: `planned` (not reached), `started` (written before the call),
 * `done`, `failed` (refused: it did not happen), `unknown` (the call timed out or the connection broke:
 * it may have happened; the apply reads it back), `undone` (put back after a later step failed).
 */
export const STEP_STATES = ['planned', 'started', 'done', 'failed', 'unknown', 'undone'] as const;
export type StepState = (typeof STEP_STATES)[number];

const stepSchema = z.object({
  change: changeSchema,
  state: z.enum(STEP_STATES),
  /** The read-back of a step that timed out, the error of a failed one, the rollout's end. */
  detail: z.string().optional(),
  at: z.number().optional(),
});
export type JournalStep = z.infer<typeof stepSchema>;

/**
 * `applying` while a replica holds the lease; `done` once the apply recorded its outcome; `interrupted`
 * once a reconciler took over an apply whose holder died and reported what it found; `resolved` once
 * Finish or Revert settled it.
 */
const JOURNAL_STATUSES = ['applying', 'done', 'interrupted', 'resolved'] as const;

/** One apply as a recorded sequence of steps: the intent (every planned change) and each step's outcome. */
export const journalSchema = z.object({
  id: z.string().min(1),
  env: z.string().min(1),
  action: z.string().min(1),
  actor: z.object({ userId: z.string().min(1), teamId: z.string(), channelId: z.string() }),
  startedAt: z.number(),
  status: z.enum(JOURNAL_STATUSES),
  steps: z.array(stepSchema).min(1),
  /** How it ended, in words (the outcome line, or what the reconciler found). */
  result: z.string().optional(),
  /** The revert record of what an interrupted apply changed (its Revert button), once the reconciler saved it. */
  revertId: z.string().optional(),
});
export type ApplyJournal = z.infer<typeof journalSchema>;

/** Steps are matched by what they change (one parameter of one node, one key, one Deployment). */
export function stepKey(c: Change): string {
  if (c.kind === 'redis-config') return `redis:${c.node}:${c.parameter}`;
  if (c.kind === 'configmap') return `configmap:${c.namespace}/${c.name}:${c.key}`;
  return `restart:${c.namespace}/${c.deployment}`;
}

/** Records a step's state before and after the call; what `runChanges` writes through the action context. */
export interface StepLog {
  record(change: Change, state: StepState, detail?: string): Promise<void>;
}

export interface JournalsDeps {
  store: CasStateStore;
  now: () => number;
  /** How long a holder's lease lasts without renewal (`remediation.applyLeaseSeconds`). */
  leaseMs: number;
  token?: () => string;
}

const KEEP_MS = 7 * 24 * 3600 * 1000;
const MAX_ATTEMPTS = 100;
const INDEX = 'remediation:journals:open';
const key = (id: string) => `remediation:journal:${id}`;
const leaseKey = (id: string) => `remediation:journal-lease:${id}`;
const indexSchema = z.array(z.string());

/** A lease on one journal: renewed while its holder works, released when it is done. */
export interface JournalLease {
  /** False once the lease was lost (expired and maybe taken over): the holder must stop writing. */
  readonly held: () => boolean;
  release(): Promise<void>;
  /** Stops renewing without freeing: the lease runs out by itself, then the reconciler may take the journal. */
  abandon(): void;
}

/** The apply journals in the state store, each behind a lease, and the index of the open ones. */
export interface ApplyJournals {
  /** Writes the intent (every change `planned`) and takes its lease, before the first step. */
  begin(input: Omit<ApplyJournal, 'status' | 'steps' | 'startedAt'> & { changes: Change[] }): Promise<JournalLease>;
  read(id: string): Promise<ApplyJournal | undefined>;
  /** Changes a journal only if nobody wrote it in between (read again and retried otherwise). */
  update(id: string, change: (j: ApplyJournal) => ApplyJournal | undefined): Promise<ApplyJournal | undefined>;
  /** A step log writing into journal `id`. */
  steps(id: string): StepLog;
  /** Open journals whose holder's lease expired: each returned with its lease taken by this caller (one caller wins). */
  takeOverStale(): Promise<{ journal: ApplyJournal; lease: JournalLease }[]>;
  /** Takes the lease of a journal for a Finish or a Revert click; undefined while another holds it. */
  lease(id: string): Promise<JournalLease | undefined>;
  /** Drops `id` from the index of open journals (it stays readable for a week). */
  closeIndex(id: string): Promise<void>;
}

/**
 * The journals of applies in flight, shared by every replica. The holder renews its lease (a key with a
 * TTL, compare-and-set with its token) while applying; a journal still `applying` without a lease belongs
 * to a replica that died, and the first reconciler to claim the lease takes it over.
 *
 * @example
 * const lease = await journals.begin({ id, env, action, actor, changes: plan.changes });
 * await action.apply({ ...ctx, steps: journals.steps(id) }, plan);
 * await journals.update(id, (j) => ({ ...j, status: 'done' }));
 * await lease.release();
 */
export function createApplyJournals(deps: JournalsDeps): ApplyJournals {
  const { store, now, leaseMs } = deps;
  const token = deps.token ?? (() => randomBytes(16).toString('base64url'));

  async function claimLease(id: string): Promise<JournalLease | undefined> {
    const mine = token();
    if (!(await store.claim(leaseKey(id), mine, leaseMs))) return undefined;
    return renewing(store, leaseKey(id), mine, leaseMs);
  }

  return {
    async begin(input) {
      const lease = await claimLease(input.id);
      if (!lease) throw new Error(`apply journal ${input.id}: its lease is already held`);
      const journal: ApplyJournal = {
        ...input,
        startedAt: now(),
        status: 'applying',
        steps: input.changes.map((change) => ({ change, state: 'planned' })),
      };
      await store.set(key(input.id), JSON.stringify(journalSchema.parse(journal)), KEEP_MS);
      await editIndex(store, (ids) => [...ids.filter((i) => i !== input.id), input.id]);
      return lease;
    },
    read: async (id) => parseStored(journalSchema, await store.get(key(id))),
    update: (id, change) => updateJournal(store, id, change),
    steps: (id) => ({
      async record(change, state, detail) {
        const k = stepKey(change);
        await updateJournal(store, id, (j) => ({
          ...j,
          steps: j.steps.map((s) =>
            stepKey(s.change) === k ? { ...s, state, at: now(), ...(detail ? { detail } : {}) } : s,
          ),
        }));
      },
    }),
    takeOverStale: () => takeOverStale(store, claimLease),
    lease: claimLease,
    closeIndex: (id) => editIndex(store, (ids) => ids.filter((i) => i !== id)),
  };
}

/** Compare-and-set of a whole journal, read again and retried on conflict; undefined when it is absent. */
async function updateJournal(
  store: CasStateStore,
  id: string,
  change: (j: ApplyJournal) => ApplyJournal | undefined,
): Promise<ApplyJournal | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const raw = await store.get(key(id));
    const current = parseStored(journalSchema, raw);
    if (!raw || !current) return undefined;
    const next = change(current);
    if (!next) return current;
    if (await store.compareAndSet(key(id), raw, JSON.stringify(journalSchema.parse(next)), KEEP_MS)) return next;
  }
  throw new Error(`apply journal ${id}: still contended after ${MAX_ATTEMPTS} attempts`);
}

/** Compare-and-set of the index of open journals. */
async function editIndex(store: CasStateStore, edit: (ids: string[]) => string[]): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const raw = await store.get(INDEX);
    const ids = parseStored(indexSchema, raw) ?? [];
    const next = JSON.stringify(edit(ids));
    if (
      raw === undefined ? await store.claim(INDEX, next, KEEP_MS) : await store.compareAndSet(INDEX, raw, next, KEEP_MS)
    )
      return;
  }
  throw new Error(`apply journal index: still contended after ${MAX_ATTEMPTS} attempts`);
}

/** The open journals still `applying` whose lease this caller could claim (their holder died). */
async function takeOverStale(
  store: CasStateStore,
  claimLease: (id: string) => Promise<JournalLease | undefined>,
): Promise<{ journal: ApplyJournal; lease: JournalLease }[]> {
  const ids = parseStored(indexSchema, await store.get(INDEX)) ?? [];
  const taken: { journal: ApplyJournal; lease: JournalLease }[] = [];
  for (const id of ids) {
    const journal = parseStored(journalSchema, await store.get(key(id)));
    // Expired (a week) or unreadable: nothing left to take over.
    if (!journal) await editIndex(store, (ids) => ids.filter((i) => i !== id));
    if (journal?.status !== 'applying') continue;
    const lease = await claimLease(id);
    if (lease) taken.push({ journal, lease });
  }
  return taken;
}

/** A lease renewed every third of its length until released or lost. */
function renewing(store: CasStateStore, k: string, value: string, leaseMs: number): JournalLease {
  let held = true;
  const timer = setInterval(
    () => {
      store.compareAndSet(k, value, value, leaseMs).then(
        (ok) => {
          if (!ok) held = false;
        },
        () => undefined,
      );
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return {
    held: () => held,
    async release() {
      clearInterval(timer);
      held = false;
      await store.compareAndDelete(k, value).catch(() => undefined);
    },
    abandon() {
      clearInterval(timer);
      held = false;
    },
  };
}
