import type { EnvironmentConfig } from '../../config/config.js';
import type { GitHostPort } from '../../core/ports/git-host.js';
import type { Change, RevertRecord, StoredRevert } from '../changes.js';
import type { PendingAction } from '../pending.js';
import { approversOf, revertApprovals } from '../policy.js';
import type { ApplyOutcome, Plan, RemediationAction } from '../types.js';
import { revertPlannedPullRequest } from '../gitops/pull-request-step.js';
import { createTrackedPullRequests, settleClosedByRevert } from '../gitops/tracked-pull-requests.js';
import { busyText, failureText, lowerFirst } from './failure-text.js';
import type { FlowContext } from './flow-context.js';
import type { Actor, Decided, Outcome } from './flow-types.js';

const REVERT_ID = /^[A-Za-z0-9_-]{22}$/;

export const REVERT_RECORD_INVALID =
  'The record of this change failed validation (it was altered or written by another version), so nothing was ' +
  'reverted. The change and its previous values are in the audit (/session-ttl audit <env>); restore them by hand if needed.';

type Attempt = { outcome: ApplyOutcome } | { error: string };

/** Who reverts, for the reverting pull request's text. */
interface RevertWho {
  requestId: string;
  requester: string;
  approvers: readonly string[];
}

/** A revert that ran: what it restored, in one line and change by change. */
export interface Reverted {
  outcome: ApplyOutcome;
  message: string;
}

/**
 * A Revert click: done at once, or (where reverts need approval) a request waiting for it. `pendingId`: the
 * fix's pending record, which the revert's audit names (and a reverting pull request is followed under).
 */
export type RevertResult = ({ reverted: Reverted } | { requested: Decided }) & {
  env: string;
  action: string;
  pendingId: string;
};

/**
 * Before Revert closes the fix's open request: its follower is told, so it does not announce that close as
 * "closed without merging". A merged (or unreadable) request is left to the follower.
 */
async function settleIfOpen(fc: FlowContext, git: GitHostPort | Error | undefined, n: number, pendingId: string) {
  if (!git || git instanceof Error) return;
  const pr = await git.pullRequestState(n).catch(() => undefined);
  if (pr?.state !== 'open') return;
  await settleClosedByRevert(
    createTrackedPullRequests({ store: fc.deps.store, now: fc.deps.now }),
    pendingId,
    fc.deps.now,
  );
}

/** Under the lock: restores the record's previous values (or not, in a dry run). */
async function attempt(
  fc: FlowContext,
  env: EnvironmentConfig,
  action: RemediationAction,
  rec: RevertRecord,
  who: RevertWho,
) {
  return fc
    .withContext(env, async (ctx): Promise<Attempt> => {
      try {
        if (fc.deps.dryRun) return { outcome: { ok: true, applied: [] } };
        const live = rec.changes.length ? await action.revert(ctx, rec) : { ok: true, applied: [] };
        if (!rec.pullRequest) return { outcome: live };
        await settleIfOpen(fc, ctx.git, rec.pullRequest.number, who.requestId);
        const git = await revertPlannedPullRequest(ctx.git, rec.pullRequest, {
          ...who,
          env: env.name,
          action: action.id,
        });
        return { outcome: { ...live, gitRevert: git } };
      } catch (err) {
        return { error: failureText(err) };
      }
    })
    .catch((err: unknown): Attempt => ({ error: failureText(err) }));
}

function revertedText(action: RemediationAction, env: EnvironmentConfig, o: ApplyOutcome): string {
  if (o.ok)
    return `Reverted ${action.id} in ${env.name}: the previous values are back${o.summary ? ` (${lowerFirst(o.summary)})` : ''}.`;
  return `The revert of ${action.id} in ${env.name} was partial${o.summary ? `: ${lowerFirst(o.summary)}` : ''}.`;
}

/** Reads the revert record; refuses an unknown id and a record that fails validation. */
async function readRevert(
  fc: FlowContext,
  revertId: string,
): Promise<{ ok: true; stored: StoredRevert; raw: string } | { ok: false; message: string }> {
  const gone = { ok: false as const, message: 'This revert is unknown, has expired or was already done.' };
  if (!REVERT_ID.test(revertId)) return { ok: false, message: 'This revert is unknown or has expired.' };
  const read = await fc.reverts.read(revertId);
  if (read.ok) return { ok: true, stored: read.value, raw: read.raw };
  return read.reason === 'invalid' ? { ok: false, message: REVERT_RECORD_INVALID } : gone;
}

/** One previous value a revert restores, in words: `maxmemory-policy allkeys-lru on 10.0.0.5:6379`. */
function restores(c: Change): string {
  switch (c.kind) {
    case 'redis-config':
      return `${c.parameter} ${c.before || '""'} on ${c.node}`;
    case 'configmap':
      return `ConfigMap ${c.namespace}/${c.name} key ${c.key} as before`;
    case 'rollout-restart':
      return `nothing for the restart of ${c.deployment}`;
  }
}

/** The revert of an interrupted apply settles it: its Finish is refused from now on. */
async function settleInterrupted(fc: FlowContext, pendingId: string, result: string): Promise<void> {
  const settled = await fc.deps.journals.update(pendingId, (j) =>
    j.status === 'interrupted' ? { ...j, status: 'resolved', result: `reverted: ${result}` } : undefined,
  );
  if (settled?.status === 'resolved') await fc.deps.journals.closeIndex(pendingId);
}

/** Restores the record's previous values exactly once (of two clicks or replicas, one takes the record). */
async function runRevert(
  fc: FlowContext,
  actor: Actor,
  read: { stored: StoredRevert; raw: string },
  audit: { pendingId: string },
): Promise<Outcome<{ reverted: Reverted }>> {
  const { deps } = fc;
  const rec = read.stored.record;
  const env = fc.envOf(rec.env);
  const action = fc.actionOf(rec.action);
  if (!(await fc.reverts.take(read.stored.id, read.raw)))
    return { ok: false, message: 'This revert was already done.' };
  const entry = {
    actor: { userId: actor.userId, teamId: actor.teamId },
    channelId: actor.channelId,
    env: env.name,
    action: action.id,
    pendingId: audit.pendingId,
    dryRun: deps.dryRun,
  };
  const locked = await deps.locks.withLock(env.name, `revert ${action.id} by ${actor.userId}`, () =>
    attempt(fc, env, action, rec, { requestId: read.stored.pendingId, requester: actor.userId, approvers: [] }),
  );
  const failed = async (message: string) => {
    // The record goes back, so a later click can try again.
    await fc.reverts.putBack(read.stored.id, read.raw);
    await deps.audit.record({ ...entry, event: 'failure', result: `revert: ${message}` });
    return { ok: false as const, message };
  };
  if (!locked.ok) return failed(busyText(env.name, locked.heldBy?.holder));
  if ('error' in locked.value) return failed(locked.value.error);
  const { outcome } = locked.value;
  const git = outcome.gitRevert;
  const gitLine = git ? ` ${git.ok ? git.message : git.error}` : '';
  const result =
    (outcome.ok
      ? `restored the previous values${outcome.summary ? ` (${outcome.summary})` : ''}`
      : `partly: ${outcome.summary ?? outcome.failed?.error ?? ''}`) + gitLine;
  await deps.audit.record({ ...entry, event: 'revert', changes: outcome.applied, result });
  if (outcome.ok) await settleInterrupted(fc, read.stored.pendingId, result);
  return { ok: true, reverted: { outcome, message: revertedText(action, env, outcome) } };
}

/** A request to revert, waiting for the environment's approvals like the change it undoes. */
async function requestRevert(
  fc: FlowContext,
  actor: Actor,
  stored: StoredRevert,
  approvals: number,
): Promise<Outcome<{ requested: Decided }>> {
  const { deps } = fc;
  const rec = stored.record;
  // One request per change: a double click (or another replica) finds it already asked for.
  const claimed = await deps.store.claim(`remediation:revert-request:${stored.id}`, actor.userId, 30 * 60_000);
  if (!claimed)
    return {
      ok: false,
      message: 'A revert of this change was already requested; it waits for approval in the thread.',
    };
  const plan: Plan = {
    action: rec.action,
    env: rec.env,
    params: {},
    summary: [
      ...(rec.changes.length ? [`revert, restoring ${rec.changes.map(restores).join('; ')}`] : ['revert']),
      ...(rec.pullRequest ? [`and in Git, closing or reverting ${rec.pullRequest.url}`] : []),
    ].join(' '),
    changes: [],
    fixes: [],
    doesNotFix: [],
    risks: [],
    warnings: [],
    noop: false,
  };
  const requester = { userId: actor.userId, teamId: actor.teamId, channelId: actor.channelId };
  const record: PendingAction = await deps.pending.create({
    plan,
    requester,
    approvalsRequired: approvals,
    revertOf: stored.id,
  });
  await deps.audit.record({
    actor: { userId: actor.userId, teamId: actor.teamId },
    channelId: actor.channelId,
    env: rec.env,
    action: rec.action,
    pendingId: record.id,
    changes: rec.changes,
    event: 'request',
    result: `revert: ${approvals} approval(s) required`,
    dryRun: deps.dryRun,
  });
  const approvers = approversOf(deps.policy, rec.env, rec.action, actor.userId);
  return { ok: true, requested: { record, awaiting: approvals, approvers } };
}

/**
 * Revert: authorized like a request of the action; then, where the environment's changes need approval
 * (`access.environments.<env>.revert`, default `approve`), a request that needs the same approvals, else
 * the recorded previous values are restored at once, exactly once.
 */
export async function revert(fc: FlowContext, actor: Actor, revertId: string): Promise<Outcome<RevertResult>> {
  const { deps } = fc;
  const read = await readRevert(fc, revertId);
  if (!read.ok) return read;
  const rec = read.stored.record;
  const env = fc.envOf(rec.env);
  const action = fc.actionOf(rec.action);
  const refused = await fc.refuseRequest(actor, env.name, action.id);
  if (refused) return refused;
  const named = { env: env.name, action: action.id, pendingId: read.stored.pendingId };
  const approvals = revertApprovals(deps.policy, env.name, env.profile);
  const done =
    approvals > 0
      ? await requestRevert(fc, actor, read.stored, approvals)
      : await runRevert(fc, actor, read, { pendingId: read.stored.pendingId });
  return done.ok ? { ...done, ...named } : done;
}

/**
 * The last approval of a revert request: consumed exactly once, then the previous values are restored by
 * the approver; the request is finished with the outcome.
 */
export async function applyRevertRequest(
  fc: FlowContext,
  actor: Actor,
  record: PendingAction & { revertOf: string },
): Promise<Outcome<Decided & { reverted: Reverted }>> {
  const consumed = await fc.deps.pending.consume(record.id, { userId: actor.userId });
  if (!consumed.ok) return { ok: false, message: consumed.message };
  const read = await readRevert(fc, record.revertOf);
  const done = read.ok ? await runRevert(fc, actor, read, { pendingId: record.id }) : read;
  const detail = done.ok ? done.reverted.message : done.message;
  const finished = await fc.deps.pending.finish(record.id, { ok: done.ok && done.reverted.outcome.ok, detail });
  const current = finished.ok ? finished.record : consumed.record;
  const reverted = done.ok ? done.reverted : { outcome: { ok: false, applied: [] }, message: done.message };
  return { ok: true, record: current, reverted };
}
