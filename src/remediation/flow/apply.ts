import { randomBytes } from 'node:crypto';
import type { EnvironmentConfig } from '../../config/config.js';
import type { AuditInput } from '../audit.js';
import { changeSchema, isRevertible, type Change, type StoredPlan } from '../changes.js';
import type { PendingAction } from '../pending.js';
import { planAction, type Planned } from '../plan-action.js';
import { OutcomeUnknownError } from '../actions/read-back.js';
import type { JournalLease } from '../journal.js';
import type { ActionContext, ApplyOutcome, Plan, RemediationAction } from '../types.js';
import { objectNames } from '../actions/object-names.js';
import { pullRequestAuditField, restartToWatch } from '../gitops/pull-request-audit.js';
import type { GitPullRequestPlan } from '../gitops/pull-request-schema.js';
import {
  openPlannedPullRequest,
  pullRequestLine,
  samePullRequest,
  type WatchedRestart,
} from '../gitops/pull-request-step.js';
import { busyText, failureText, lowerFirst } from './failure-text.js';
import type { FlowContext } from './flow-context.js';
import type { Actor, AppliedResult, Outcome } from './flow-types.js';

export const STORED_PLAN_INVALID =
  'The stored preview of this request failed validation (it was altered or written by another version), ' +
  'so nothing was applied. Open the preview again for a fresh one.';
const CHANGED_SINCE_PREVIEW =
  'The environment changed since the preview (values or resourceVersions differ): nothing was applied. ' +
  'Open the preview again to review the current state.';
const NOTHING_TO_CHANGE = 'Nothing to change any more: the environment already has these values.';

/** Plans compare equal when they would make the very same changes (values and resourceVersions). */
function sameChanges(a: readonly Change[], b: readonly Change[]): boolean {
  // Through the schema, so the comparison does not depend on the order keys were written in.
  const canonical = (list: readonly Change[]) => JSON.stringify(list.map((c) => changeSchema.parse(c)));
  return canonical(a) === canonical(b);
}

/** One apply: who, the record, the action and where, and the audit fields every entry of it carries. */
interface ApplyJob {
  actor: Actor;
  record: PendingAction;
  action: RemediationAction;
  env: EnvironmentConfig;
  audit: Omit<AuditInput, 'event' | 'dryRun'>;
  /** Aborted when the bot is stopping: a rollout is no longer followed. */
  interrupted?: AbortSignal;
  /** The lease of the apply's journal, once its intent is written (closed when the outcome is recorded). */
  journal?: JournalLease;
  /** A step's outcome stayed unknown: the journal is left open for the reconciler. */
  leaveOpen?: boolean;
}

/** Options of an apply: the signal of the bot stopping (the host's `work.interrupted`). */
export interface ApplyOptions {
  interrupted?: AbortSignal;
}

/**
 * Writes the intent (the previewed changes: the apply refuses any other) to the apply journal, behind its
 * lease, before anything else: a replica killed from here on leaves a journal the reconciler takes over.
 */
async function beginJournal(fc: FlowContext, job: ApplyJob, changes: Change[]): Promise<void> {
  const { actor, record } = job;
  job.journal = await fc.deps.journals.begin({
    id: record.id,
    env: job.env.name,
    action: job.action.id,
    actor: { userId: actor.userId, teamId: actor.teamId, channelId: actor.channelId },
    changes,
  });
}

/** Applies with every step recorded in the journal before and after it; the bot stopping ends a rollout's following. */
function applyJournaled(fc: FlowContext, job: ApplyJob, ctx: ActionContext, plan: Plan): Promise<ApplyOutcome> {
  const steps = job.journal ? { steps: fc.deps.journals.steps(job.record.id) } : {};
  return job.action.apply({ ...ctx, ...steps, ...(job.interrupted ? { interrupted: job.interrupted } : {}) }, plan);
}

/**
 * The outcome is recorded (pending record, audit, revert record): the journal is done and its lease freed.
 * Without a result (recording it failed) only the lease is freed: the reconciler takes the journal over.
 */
async function closeJournal(fc: FlowContext, job: ApplyJob, result: string | undefined): Promise<void> {
  const lease = job.journal;
  if (!lease) return;
  // An outcome still unknown: the lease runs out first, so the reconciler reads what is in place by then.
  if (job.leaveOpen) return lease.abandon();
  try {
    if (result === undefined) return;
    await fc.deps.journals.update(job.record.id, (j) =>
      j.status === 'applying' ? { ...j, status: 'done', result } : undefined,
    );
    await fc.deps.journals.closeIndex(job.record.id);
  } catch (err) {
    fc.deps.logger.warn({ err, pendingId: job.record.id }, 'remediation: could not close the apply journal');
  } finally {
    await lease.release();
  }
}

type Attempt = { outcome: ApplyOutcome } | { error: string } | { unknown: string };

/** Under the lock: plans again, refuses when anything moved since the preview, then applies (or not, in a dry run). */
async function attempt(fc: FlowContext, job: ApplyJob, previewed: StoredPlan | undefined): Promise<Attempt> {
  return fc
    .withContext(job.env, async (ctx): Promise<Attempt> => {
      let planned: Planned;
      try {
        planned = await planAction(job.action, ctx, job.record.params, { suggest: false });
      } catch (err) {
        return { error: failureText(err) };
      }
      if (!planned.ok) return { error: `Invalid parameters: ${planned.invalid}` };
      const fresh = planned.plan;
      if (!previewed || !sameChanges(fresh.changes, previewed.changes)) return { error: CHANGED_SINCE_PREVIEW };
      if (!samePullRequest(fresh.pullRequest, previewed.pullRequest)) return { error: CHANGED_SINCE_PREVIEW };
      if (fresh.noop) return { error: NOTHING_TO_CHANGE };
      if (fc.deps.dryRun) return { outcome: { ok: true, applied: [] } };
      try {
        const outcome = await applyJournaled(fc, job, ctx, fresh);
        return { outcome: await withPullRequest(fc, job, ctx, outcome, previewed) };
      } catch (err) {
        return err instanceof OutcomeUnknownError ? { unknown: failureText(err) } : { error: failureText(err) };
      }
    })
    .catch((err: unknown): Attempt => ({ error: failureText(err) }));
}

/** After the live changes: the previewed pull request (GitOps), opened on the base the preview read or a newer one. */
async function withPullRequest(
  fc: FlowContext,
  job: ApplyJob,
  ctx: ActionContext,
  outcome: ApplyOutcome,
  previewed: StoredPlan,
): Promise<ApplyOutcome> {
  if (!outcome.ok || !previewed.pullRequest) return outcome;
  const threadUrl = await fc.deps.threadLink?.(job.record.id).catch(() => undefined);
  const step = await openPlannedPullRequest(ctx.git, previewed.pullRequest, {
    env: job.env.name,
    action: job.action.id,
    requestId: job.record.id,
    requester: job.record.requester.userId,
    approvers: job.record.approvals.map((a) => a.userId),
    ...(job.record.finding ? { finding: job.record.finding } : {}),
    ...(threadUrl ? { threadUrl } : {}),
    ...(outcome.applied.length ? { liveChange: liveChangeText(outcome.applied) } : {}),
  });
  if (step.kind !== 'opened') return { ...outcome, pullRequest: step };
  const restart = await appRestartToWatch(ctx, previewed.pullRequest).catch(() => undefined);
  return { ...outcome, pullRequest: { ...step, ...(restart ? { restart } : {}) } };
}

/** `CONFIG SET maxmemory-policy volatile-lru on 3 nodes`: the live half, for the pull request's text. */
function liveChangeText(applied: readonly Change[]): string {
  const sets = new Map<string, Set<string>>();
  for (const c of applied)
    if (c.kind === 'redis-config')
      sets.set(`${c.parameter} ${c.after}`, (sets.get(`${c.parameter} ${c.after}`) ?? new Set()).add(c.node));
  const parts = [...sets].map(([set, nodes]) => `CONFIG SET ${set} on ${nodes.size} node${nodes.size > 1 ? 's' : ''}`);
  return parts.join(', ') || `${applied.length} change(s)`;
}

/** An edit of the app ConfigMap (enable-sliding-window): the app Deployment, whose pods read it at start. */
async function appRestartToWatch(ctx: ActionContext, pr: GitPullRequestPlan): Promise<WatchedRestart | undefined> {
  const names = objectNames(ctx.env);
  if (!ctx.cluster || !names || !pr.edits.some((e) => e.kind === 'data-key' && e.configMap === names.appConfigMap))
    return undefined;
  return restartToWatch(ctx.cluster, { deployment: names.appDeployment, namespace: names.namespace, target: 'app' });
}

/**
 * The apply stopped before changing anything (the environment moved, the lock was held, a source was down):
 * the record is finished as failed and audited. A result, not a refusal: the thread is told, and the
 * approval message says so.
 */
async function failed(fc: FlowContext, job: ApplyJob, reason: string): Promise<Outcome<AppliedResult>> {
  const finished = await fc.deps.pending.finish(job.record.id, { ok: false, detail: reason });
  await fc.deps.audit.record({ ...job.audit, event: 'failure', result: reason, dryRun: fc.deps.dryRun });
  return {
    ok: true,
    record: finished.ok ? finished.record : job.record,
    recheck: [],
    answers: job.action.findings,
    outcome: { ok: false, applied: [] },
    dryRun: fc.deps.dryRun,
    message: `${job.action.id} in ${job.env.name} was not applied: ${reason}`,
    reason,
  };
}

/**
 * A step's outcome stayed unknown (a PATCH that may still land): nothing is put back and the pending record
 * stays `applying`; the journal is left to the reconciler, which reads the environment again once this
 * apply's lease expired, finishes the record and posts what it finds with Finish and Revert. Audited now.
 */
async function unknownOutcome(fc: FlowContext, job: ApplyJob, text: string): Promise<Outcome<AppliedResult>> {
  job.leaveOpen = true;
  const lease = fc.deps.config.remediation.applyLeaseSeconds;
  const reason =
    `${text} Nothing was put back while the outcome is unknown: in about ${lease} s the bot reads the ` +
    'environment again and posts here what it finds, with Finish and Revert.';
  await fc.deps.audit.record({ ...job.audit, event: 'failure', result: `outcome unknown: ${reason}`, dryRun: false });
  return {
    ok: true,
    record: job.record,
    recheck: [],
    answers: job.action.findings,
    outcome: { ok: false, applied: [] },
    dryRun: false,
    message: `${job.action.id} in ${job.env.name}: ${reason}`,
    reason,
  };
}

/** The changes an outcome touched: made, and attempted but refused. */
const touched = (o: ApplyOutcome): Change[] => [
  ...o.applied,
  ...(o.failures ?? (o.failed ? [o.failed] : [])).map((f) => f.change),
];

function auditResult(o: ApplyOutcome, dryRun: boolean): string {
  if (dryRun) return 'dry run: nothing was applied';
  const pr = o.pullRequest;
  const git =
    pr?.kind === 'opened'
      ? `; pull request ${pr.pullRequest.url} opened`
      : pr?.kind === 'failed'
        ? `; pull request not opened: ${pr.error}`
        : pr
          ? `; ${pr.message}`
          : '';
  if (o.ok) return `applied ${o.applied.length} change(s)${o.summary ? ` (${o.summary})` : ''}${git}`;
  return `failed: ${o.summary ?? o.failed?.error ?? 'unknown'}`;
}

/** The one line the thread shows after an apply. */
function appliedText(job: ApplyJob, o: ApplyOutcome, dryRun: boolean): string {
  const what = `${job.action.id} in ${job.env.name}`;
  if (dryRun) return `Dry run of ${what}: nothing was applied.`;
  if (o.ok && o.pullRequest)
    return `Applied ${what}${o.summary ? `: ${lowerFirst(o.summary)}` : ''}. ${pullRequestLine(o.pullRequest)}`;
  if (o.ok) return `Applied ${what}${o.summary ? `: ${lowerFirst(o.summary)}` : ''}.`;
  if (o.failures && o.summary) {
    const changed = new Set(o.applied.map((c) => (c.kind === 'redis-config' ? c.node : c.kind))).size;
    return `${what} was applied partly: ${lowerFirst(o.summary)}. Revert restores the ${changed} node(s) that changed.`;
  }
  return `${what} failed: ${o.failed?.error ?? ''}`;
}

/** Keeps what a revert needs when something revertible changed; its id goes on the Revert button. */
async function saveRevert(fc: FlowContext, job: ApplyJob, o: ApplyOutcome): Promise<string | undefined> {
  const opened = o.pullRequest?.kind === 'opened' ? o.pullRequest.pullRequest : undefined;
  if (fc.deps.dryRun || !(o.applied.some(isRevertible) || opened)) return undefined;
  const id = randomBytes(16).toString('base64url');
  await fc.reverts.save({
    id,
    pendingId: job.record.id,
    record: {
      action: job.action.id,
      env: job.env.name,
      changes: o.applied,
      ...(opened ? { pullRequest: opened } : {}),
    },
    appliedBy: job.actor.userId,
    at: fc.deps.now(),
  });
  return id;
}

/** Records an outcome: the pending record finished, the audit entry, the revert record. */
async function recorded(
  fc: FlowContext,
  job: ApplyJob,
  outcome: ApplyOutcome,
  previewed: StoredPlan | undefined,
): Promise<Outcome<AppliedResult>> {
  const { dryRun } = fc.deps;
  const detail = outcome.summary ?? outcome.failed?.error;
  const finished = await fc.deps.pending.finish(job.record.id, { ok: outcome.ok, detail });
  await fc.deps.audit.record({
    ...job.audit,
    event: outcome.ok ? 'apply' : 'failure',
    changes: dryRun ? previewed?.changes : touched(outcome),
    result: auditResult(outcome, dryRun),
    ...(outcome.pullRequest?.kind === 'opened' ? pullRequestAuditField(outcome.pullRequest.pullRequest) : {}),
    dryRun,
  });
  const revertId = await saveRevert(fc, job, outcome);
  return {
    ok: true,
    record: finished.ok ? finished.record : job.record,
    recheck: job.action.recheck,
    answers: job.action.findings,
    outcome,
    ...(revertId ? { revertId } : {}),
    dryRun,
    message: appliedText(job, outcome, dryRun),
  };
}

/**
 * Applies an approved (or dry-run) record exactly once: consumes it, then under the environment's lock
 * plans again and applies only when nothing moved since the preview; records and audits the outcome.
 * A stored preview that fails validation is refused: nothing is applied.
 */
export async function applyRecord(
  fc: FlowContext,
  actor: Actor,
  record: PendingAction,
  opts: ApplyOptions = {},
): Promise<Outcome<AppliedResult>> {
  const consumed = await fc.deps.pending.consume(record.id, { userId: actor.userId });
  if (!consumed.ok) return { ok: false, message: consumed.message };
  const env = fc.envOf(record.env);
  const action = fc.actionOf(record.action);
  const audit = {
    actor: { userId: actor.userId, teamId: actor.teamId },
    channelId: actor.channelId,
    env: env.name,
    action: action.id,
    pendingId: record.id,
    params: record.params,
  };
  const job: ApplyJob = {
    actor,
    record,
    action,
    env,
    audit,
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
  };
  const stored = await fc.plans.read(record.id);
  if (!stored.ok && stored.reason === 'invalid') return failed(fc, job, STORED_PLAN_INVALID);
  const previewed = stored.ok ? stored.value : undefined;
  if (previewed?.changes.length && !fc.deps.dryRun) await beginJournal(fc, job, previewed.changes);
  let result: Outcome<AppliedResult> | undefined;
  try {
    result = await lockedApply(fc, job, previewed);
    return result;
  } finally {
    await closeJournal(fc, job, result?.message);
  }
}

/** Under the environment's lock: the apply, then its outcome recorded (or why it did not run). */
async function lockedApply(
  fc: FlowContext,
  job: ApplyJob,
  previewed: StoredPlan | undefined,
): Promise<Outcome<AppliedResult>> {
  const { action, actor, record, env } = job;
  const holder = `${action.id} by ${actor.userId} (${record.id})`;
  const locked = await fc.deps.locks.withLock(env.name, holder, () => attempt(fc, job, previewed));
  if (!locked.ok)
    return failed(
      fc,
      job,
      `${busyText(env.name, locked.heldBy?.holder)} Nothing was applied; try again when it is done.`,
    );
  if ('unknown' in locked.value) return unknownOutcome(fc, job, locked.value.unknown);
  return 'error' in locked.value
    ? failed(fc, job, locked.value.error)
    : recorded(fc, job, locked.value.outcome, previewed);
}
