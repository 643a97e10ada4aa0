import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import { parseStored } from '../../core/stored-json.js';

const stamp = z.object({ userId: z.string().min(1), at: z.number() });

/** What settled a request: how the bot learnt it (a poll, or a webhook's re-read) and the state it read. */
const settledSchema = z.object({
  state: z.enum(['merged', 'closed']),
  at: z.number(),
  /** The commit that landed the change on the base branch (merged only). */
  mergeCommitSha: z.string().optional(),
  /** `revert`: the bot closed it itself (a Revert of the fix), so the follower says nothing. */
  via: z.enum(['poll', 'webhook', 'revert']),
  /** Set once the thread was told (and the audit written); until then another replica may take it over. */
  announcedAt: z.number().optional(),
});

/**
 * An open fix (or revert) pull/merge request the bot follows until it is merged or closed, as stored
 * (checked on every read). `settled` is set once, by compare-and-set: the replica that sets it announces.
 */
export const trackedPullRequestSchema = z.object({
  id: z.string().min(1),
  env: z.string().min(1),
  action: z.string().min(1),
  pendingId: z.string().min(1),
  kind: z.enum(['fix', 'revert']),
  provider: z.enum(['github', 'gitlab']),
  repo: z.string().min(1),
  number: z.number().int().positive(),
  url: z.string().min(1),
  /** The fix's commit on its branch. */
  commitSha: z.string().min(1),
  /** The request's source branch and the branch it merges into. */
  head: z.string().min(1),
  base: z.string().min(1),
  /** The chat thread the apply's messages went to: where its merge or close is said. */
  thread: z.object({ channel: z.string().min(1), ts: z.string().min(1) }),
  requester: z.object({ userId: z.string().min(1), teamId: z.string(), channelId: z.string() }),
  approvers: z.array(stamp),
  /** The GitOps controller that syncs the repository, for messages; absent when not detected. */
  syncedBy: z.enum(['argocd', 'flux']).optional(),
  openedAt: z.number(),
  /**
   * enable-sliding-window: the Deployment to restart after the merge and its pod template fingerprint when
   * the request was opened; unchanged after the merge, the controller did not roll the pods.
   */
  restart: z
    .object({
      deployment: z.string().min(1),
      namespace: z.string().min(1),
      target: z.enum(['app', 'redis']).default('app'),
      templateFingerprint: z.string().min(1),
    })
    .optional(),
  settled: settledSchema.optional(),
});
export type TrackedPullRequest = z.infer<typeof trackedPullRequestSchema>;
export type TrackInput = Omit<z.input<typeof trackedPullRequestSchema>, 'id' | 'settled' | 'openedAt'>;
export type Settlement = z.infer<typeof settledSchema>;

export interface TrackedPullRequests {
  /** Stores a newly opened request and adds it to the open ones; returns the record (with its id). */
  track(input: TrackInput): Promise<TrackedPullRequest>;
  get(id: string): Promise<TrackedPullRequest | undefined>;
  /** The requests not settled yet (records gone or unreadable are dropped from the index). */
  listOpen(): Promise<TrackedPullRequest[]>;
  /**
   * Marks a request merged or closed, exactly once across replicas: the caller whose compare-and-set wrote
   * it gets the settled record (and announces it); everyone else gets undefined.
   */
  settle(id: string, settlement: Settlement): Promise<TrackedPullRequest | undefined>;
  /** Records that the settled request was announced; it leaves the index. */
  announced(id: string): Promise<void>;
  /**
   * Settled requests whose announcing replica died (settled `staleMs` ago, never announced), each taken over
   * by compare-and-set (one caller gets each) to be announced again.
   */
  takeOverUnannounced(staleMs: number): Promise<TrackedPullRequest[]>;
}

export interface TrackedPullRequestsDeps {
  store: CasStateStore;
  now: () => number;
  /** How long an open request is followed (default 90 days), and a settled one kept (a week). */
  openTtlMs?: number;
  randomId?: () => string;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;
const MAX_ATTEMPTS = 100;
const INDEX = 'gitops:pull-requests:open';
const key = (id: string) => `gitops:pull-request:${id}`;
const indexSchema = z.array(z.string());

/**
 * The GitOps fix requests the bot follows, in the shared state store: one record per request and an index
 * of the open ones, both changed only by compare-and-set, so several replicas following them agree.
 *
 * @example
 * const tracked = createTrackedPullRequests({ store, now: Date.now });
 * const pr = await tracked.track({ env: 'prod', action: 'set-maxmemory', pendingId, kind: 'fix', ... });
 * if (await tracked.settle(pr.id, { state: 'merged', at: Date.now(), via: 'poll' })) { ...announce... }
 */
export function createTrackedPullRequests(deps: TrackedPullRequestsDeps): TrackedPullRequests {
  const { store, now } = deps;
  const openTtlMs = deps.openTtlMs ?? 90 * 24 * 3600 * 1000;
  const randomId = deps.randomId ?? (() => randomBytes(16).toString('base64url'));
  const read = async (id: string) => parseStored(trackedPullRequestSchema, await store.get(key(id)));
  const editIndex = (edit: (ids: string[]) => string[]) => casIndex(store, edit, openTtlMs);
  const indexed = () => indexedRecords(store, editIndex);
  const swap = (id: string, change: (r: TrackedPullRequest) => TrackedPullRequest | undefined) =>
    swapRecord(store, id, change, openTtlMs);

  return {
    async track(input) {
      const record = trackedPullRequestSchema.parse({ ...input, id: randomId(), openedAt: now() });
      await store.set(key(record.id), JSON.stringify(record), openTtlMs);
      await editIndex((ids) => [...ids.filter((i) => i !== record.id), record.id]);
      return record;
    },
    get: read,
    async listOpen() {
      return (await indexed()).filter((r) => !r.settled);
    },
    settle: (id, settlement) =>
      swap(id, (r) => (r.settled ? undefined : { ...r, settled: settledSchema.parse(settlement) })),
    async announced(id) {
      const mark = (r: TrackedPullRequest) =>
        r.settled && r.settled.announcedAt === undefined
          ? { ...r, settled: { ...r.settled, announcedAt: now() } }
          : undefined;
      // Retried: a take-over that moved `settled.at` meanwhile must not leave it unannounced.
      for (let attempt = 0; attempt < 5 && !(await swap(id, mark)); attempt++)
        if ((await read(id))?.settled?.announcedAt !== undefined) break;
      await editIndex((ids) => ids.filter((i) => i !== id));
    },
    async takeOverUnannounced(staleMs) {
      const stale = (await indexed()).filter((r) => r.settled && r.settled.at + staleMs <= now());
      const taken: TrackedPullRequest[] = [];
      for (const r of stale) {
        const t = await swap(r.id, (c) =>
          c.settled && c.settled.at === r.settled?.at ? { ...c, settled: { ...c.settled, at: now() } } : undefined,
        );
        if (t) taken.push(t);
      }
      return taken;
    },
  };
}

/** The indexed records still to follow or to announce; gone, unreadable and announced ones leave the index. */
async function indexedRecords(
  store: CasStateStore,
  editIndex: (edit: (ids: string[]) => string[]) => Promise<void>,
): Promise<TrackedPullRequest[]> {
  const out: TrackedPullRequest[] = [];
  for (const id of parseStored(indexSchema, await store.get(INDEX)) ?? []) {
    const r = parseStored(trackedPullRequestSchema, await store.get(key(id)));
    if (!r || r.settled?.announcedAt !== undefined) await editIndex((all) => all.filter((i) => i !== id));
    else out.push(r);
  }
  return out;
}

/**
 * One compare-and-set of a record, no retry: a replica that lost it lost to the one that changed it first.
 * The new record, or undefined when `change` declined or the swap lost.
 */
async function swapRecord(
  store: CasStateStore,
  id: string,
  change: (r: TrackedPullRequest) => TrackedPullRequest | undefined,
  openTtlMs: number,
): Promise<TrackedPullRequest | undefined> {
  const raw = await store.get(key(id));
  const current = parseStored(trackedPullRequestSchema, raw);
  const next = raw && current ? change(current) : undefined;
  if (!raw || !next) return undefined;
  const ttl = next.settled ? WEEK_MS : openTtlMs;
  return (await store.compareAndSet(key(id), raw, JSON.stringify(next), ttl)) ? next : undefined;
}

/** Compare-and-set of the index of open requests, read again and retried on conflict. */
async function casIndex(store: CasStateStore, edit: (ids: string[]) => string[], ttlMs: number): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const raw = await store.get(INDEX);
    const next = JSON.stringify(edit(parseStored(indexSchema, raw) ?? []));
    if (raw === undefined ? await store.claim(INDEX, next, ttlMs) : await store.compareAndSet(INDEX, raw, next, ttlMs))
      return;
  }
  throw new Error(`GitOps pull request index: still contended after ${MAX_ATTEMPTS} attempts`);
}

/**
 * What the apply calls once it opened a fix (or revert) request: the bot follows it from now on (poll and
 * webhooks) and says in `input.thread` when it is merged or closed.
 *
 * @example
 * await trackPullRequest({ store, now }, { env, action, pendingId, kind: 'fix', provider: 'github', repo, number,
 *   url, commitSha, head, base, thread, requester, approvers, syncedBy: 'argocd', restart });
 */
export function trackPullRequest(deps: TrackedPullRequestsDeps, input: TrackInput): Promise<TrackedPullRequest> {
  return createTrackedPullRequests(deps).track(input);
}

/**
 * What Revert calls before it closes the open fix request of `pendingId` itself: the request is settled as
 * closed by the revert, so the follower does not announce "closed without merging" (the revert says what it
 * did). Returns the request it settled, or undefined when none is open (merged already: open a reverting one).
 */
export async function settleClosedByRevert(
  tracked: TrackedPullRequests,
  pendingId: string,
  now: () => number,
): Promise<TrackedPullRequest | undefined> {
  const open = (await tracked.listOpen()).find((pr) => pr.pendingId === pendingId && pr.kind === 'fix');
  const at = now();
  const settled = open && (await tracked.settle(open.id, { state: 'closed', at, via: 'revert', announcedAt: at }));
  if (settled) await tracked.announced(settled.id);
  return settled;
}
