import { randomBytes } from 'node:crypto';
import { isRevertible, type Change } from '../changes.js';
import type { ApplyJournal } from '../journal.js';
import { decide } from '../policy.js';
import type { ApplyOutcome, Plan, RemediationAction } from '../types.js';
import type { ApplyOptions } from './apply.js';
import { busyText, failureText } from './failure-text.js';
import type { FlowContext } from './flow-context.js';
import type { Actor, Outcome } from './flow-types.js';
import { readLiveState } from './live-state.js';

/** A Finish that ran: what it made (and what was made before the interruption), and the new Revert. */
export interface Finished {
  env: string;
  action: string;
  message: string;
  outcome: ApplyOutcome;
  revertId?: string;
}

type Attempt = { outcome: ApplyOutcome; made: Change[] } | { error: string };

/** Why a journal cannot be finished now; undefined when it can. */
function notFinishable(journal: ApplyJournal | undefined): string | undefined {
  if (!journal) return 'This interrupted apply is unknown or has expired.';
  if (journal.status === 'resolved') return `This interrupted apply was already settled: ${journal.result ?? ''}`;
  if (journal.status !== 'interrupted') return 'This apply was not interrupted; nothing to finish.';
  return undefined;
}

/**
 * Under the lock: reads the real state again and makes the planned changes still missing, checked against
 * the journal's plan (each one's `before` must still be there; anything else moved refuses it all).
 */
async function attempt(fc: FlowContext, journal: ApplyJournal, action: RemediationAction, opts: ApplyOptions) {
  const env = fc.envOf(journal.env);
  const record = await fc.deps.pending.get(journal.id);
  return fc
    .withContext(env, async (ctx): Promise<Attempt> => {
      const found = await readLiveState(ctx, journal.steps);
      const other = found.find((f) => f.state === 'other');
      if (other)
        return { error: `The environment moved since the interruption (${other.detail ?? ''}): nothing was done.` };
      const made = found.filter((f) => f.state === 'changed').map((f) => f.change);
      const remaining = found.filter((f) => f.state === 'unchanged').map((f) => f.change);
      if (!remaining.length) return { outcome: { ok: true, applied: [] }, made };
      const plan: Plan = {
        action: action.id,
        env: env.name,
        // The request's parameters through the action's schema (its defaults: a rollout's timeout).
        params: action.params.safeParse(record?.params ?? {}).data ?? {},
        summary: `finish ${action.id}`,
        changes: remaining,
        fixes: [],
        doesNotFix: [],
        risks: [],
        warnings: [],
        noop: false,
      };
      const steps = fc.deps.journals.steps(journal.id);
      const stepCtx = { ...ctx, steps, ...(opts.interrupted ? { interrupted: opts.interrupted } : {}) };
      return { outcome: await action.apply(stepCtx, plan), made };
    })
    .catch((err: unknown): Attempt => ({ error: failureText(err) }));
}

/** Records a Finish: the audit, a revert record of everything now changed, the journal settled. */
async function recorded(
  fc: FlowContext,
  actor: Actor,
  journal: ApplyJournal,
  done: { outcome: ApplyOutcome; made: Change[] },
): Promise<Finished> {
  const { deps } = fc;
  const all = [...done.made, ...done.outcome.applied];
  const what = `${journal.action} in ${journal.env}`;
  const message = done.outcome.ok
    ? `Finished the interrupted apply of ${what}: every planned change is made.`
    : `Finishing the interrupted apply of ${what} failed: ${done.outcome.summary ?? done.outcome.failed?.error ?? ''}`;
  await deps.audit.record({
    event: done.outcome.ok ? 'apply' : 'failure',
    actor: { userId: actor.userId, teamId: actor.teamId },
    channelId: actor.channelId,
    env: journal.env,
    action: journal.action,
    pendingId: journal.id,
    changes: all,
    result: `finish of an interrupted apply: ${message}`,
    dryRun: deps.dryRun,
  });
  if (journal.revertId) await fc.reverts.drop(journal.revertId);
  const revertId = all.some(isRevertible) ? randomBytes(16).toString('base64url') : undefined;
  if (revertId) {
    const record = { action: journal.action, env: journal.env, changes: all };
    await fc.reverts.save({ id: revertId, pendingId: journal.id, record, appliedBy: actor.userId, at: deps.now() });
  }
  if (done.outcome.ok) {
    await deps.journals.update(journal.id, (j) => ({ ...j, status: 'resolved', result: message }));
    await deps.journals.closeIndex(journal.id);
  }
  return {
    env: journal.env,
    action: journal.action,
    message,
    outcome: { ...done.outcome, applied: all },
    ...(revertId ? { revertId } : {}),
  };
}

/**
 * Finish of an interrupted apply: authorized at click time from the clicking user, under the approve
 * policy of its environment and action; one Finish (or Revert) at a time; then the planned changes still
 * missing are made under the environment's lock, each step recorded in the journal.
 */
export async function finishInterrupted(
  fc: FlowContext,
  actor: Actor,
  pendingId: string,
  opts: ApplyOptions = {},
): Promise<Outcome<Finished>> {
  const journal = await fc.deps.journals.read(pendingId);
  const refusal = notFinishable(journal);
  if (refusal || !journal) return { ok: false, message: refusal ?? '' };
  const action = fc.actionOf(journal.action);
  const where = { channelId: actor.channelId, env: journal.env };
  const d = decide(fc.deps.policy, await fc.who(actor), where, { kind: 'approve', action: action.id });
  if (!d.allowed) return fc.denied(actor, journal.env, action.id, d);
  const lease = await fc.deps.journals.lease(pendingId);
  if (!lease) return { ok: false, message: 'Someone is finishing or reverting this apply right now.' };
  try {
    const holder = `finish ${action.id} by ${actor.userId} (${pendingId})`;
    const locked = await fc.deps.locks.withLock(journal.env, holder, () => attempt(fc, journal, action, opts));
    if (!locked.ok) return { ok: false, message: `${busyText(journal.env, locked.heldBy?.holder)} Nothing was done.` };
    if ('error' in locked.value) {
      await fc.deps.audit.record({
        event: 'failure',
        actor: { userId: actor.userId, teamId: actor.teamId },
        channelId: actor.channelId,
        env: journal.env,
        action: action.id,
        pendingId,
        result: `finish of an interrupted apply: ${locked.value.error}`,
        dryRun: fc.deps.dryRun,
      });
      return { ok: false, message: locked.value.error };
    }
    return { ok: true, ...(await recorded(fc, actor, journal, locked.value)) };
  } finally {
    await lease.release();
  }
}
