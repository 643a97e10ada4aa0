import { approversOf, mayApprove } from '../policy.js';
import { closedMessage } from '../pending.js';
import { applyRecord, STORED_PLAN_INVALID, type ApplyOptions } from './apply.js';
import { applyRevertRequest } from './revert.js';
import type { FlowContext } from './flow-context.js';
import type { Actor, Decided, Outcome } from './flow-types.js';
import type { PendingAction } from '../pending.js';

const unknownRequest = (hint = ''): { ok: false; message: string } => ({
  ok: false,
  message: `This request is unknown or has expired${hint}.`,
});

/** Why `actor` may not submit `record` (not theirs, expired); undefined when they may. */
function submitRefusal(fc: FlowContext, actor: Actor, record: PendingAction): string | undefined {
  if (record.requester.userId !== actor.userId) return 'Only the person who opened this preview can submit it.';
  // An expired preview would post an approval request that nobody can approve any more.
  if (fc.deps.now() >= record.expiresAt) {
    const at = new Date(record.expiresAt).toISOString();
    return `This preview expired at ${at}. Click the fix button again to see a fresh preview.`;
  }
  return undefined;
}

/** The preview was confirmed: authorize again, audit the request, apply at once when no approval is needed. */
export async function request(
  fc: FlowContext,
  actor: Actor,
  pendingId: string,
  opts: ApplyOptions = {},
): Promise<Outcome<Decided>> {
  const { deps } = fc;
  const record = await deps.pending.get(pendingId);
  // A revert request has no preview to submit: it is asked for with the Revert button.
  if (!record || record.revertOf) return unknownRequest('; open the preview again');
  const where = { ...actor, channelId: record.requester.channelId };
  const refusal = submitRefusal(fc, actor, record);
  if (refusal) return fc.denied(where, record.env, record.action, { allowed: false, why: refusal });
  const refused = await fc.refuseRequest(where, record.env, record.action);
  if (refused) return refused;
  // Exactly once: a second submission (a double click, a resubmitted form, after an apply) requests nothing.
  const marked = await deps.pending.markRequested(record.id, { userId: actor.userId });
  if (!marked.ok) return { ok: false, message: marked.message };
  const stored = await fc.plans.read(record.id);
  const entry = {
    actor: { userId: actor.userId, teamId: actor.teamId },
    channelId: where.channelId,
    env: record.env,
    action: record.action,
    pendingId: record.id,
    params: record.params,
    dryRun: deps.dryRun,
  };
  if (!stored.ok && stored.reason === 'invalid') {
    await deps.audit.record({ ...entry, event: 'failure', result: STORED_PLAN_INVALID });
    return { ok: false, message: STORED_PLAN_INVALID };
  }
  const changes = stored.ok ? { changes: stored.value.changes } : {};
  await deps.audit.record({
    ...entry,
    ...changes,
    event: 'request',
    result: `${record.approvalsRequired} approval(s) required`,
  });
  if (marked.record.status !== 'approved') return awaitingApproval(fc, marked.record);
  const applied = await applyRecord(fc, where, marked.record, opts);
  return applied.ok ? { ok: true, record: applied.record, applied } : applied;
}

/** A request still waiting: how many approvals are missing, and who may give them. */
function awaitingApproval(fc: FlowContext, record: PendingAction): Outcome<Decided> {
  const awaiting = record.approvalsRequired - record.approvals.length;
  const approvers = approversOf(fc.deps.policy, record.env, record.action, record.requester.userId);
  return { ok: true, record, awaiting, approvers };
}

/** An approver's click: authorized against the approve policy, never the requester; the last approval applies. */
export async function approve(
  fc: FlowContext,
  actor: Actor,
  pendingId: string,
  opts: ApplyOptions = {},
): Promise<Outcome<Decided>> {
  const { deps } = fc;
  const record = await deps.pending.get(pendingId);
  if (!record) return unknownRequest();
  // Applied, rejected or failed already: a late click is told who decided, and is not a denial.
  const closed = closedMessage(record);
  if (closed) return { ok: false, message: closed };
  const decision = mayApprove(deps.policy, await fc.who(actor), actor.channelId, record);
  if (!decision.allowed) return fc.denied(actor, record.env, record.action, decision);
  const approved = await deps.pending.approve(pendingId, { userId: actor.userId });
  if (!approved.ok) return { ok: false, message: approved.message };
  await deps.audit.record({
    event: 'approval',
    actor: { userId: actor.userId, teamId: actor.teamId },
    channelId: actor.channelId,
    env: record.env,
    action: record.action,
    pendingId,
    result: `${approved.record.approvals.length} of ${record.approvalsRequired}`,
    dryRun: deps.dryRun,
  });
  if (!approved.decided) return awaitingApproval(fc, approved.record);
  const { revertOf } = approved.record;
  if (revertOf) return applyRevertRequest(fc, actor, { ...approved.record, revertOf });
  const applied = await applyRecord(fc, actor, approved.record, opts);
  return applied.ok ? { ok: true, record: applied.record, applied } : applied;
}

/** An approver (or the requester, to withdraw) rejects: nothing is applied. */
export async function reject(
  fc: FlowContext,
  actor: Actor,
  pendingId: string,
): Promise<Outcome<{ record: PendingAction }>> {
  const { deps } = fc;
  const record = await deps.pending.get(pendingId);
  if (!record) return unknownRequest();
  const closed = closedMessage(record);
  if (closed) return { ok: false, message: closed };
  if (record.requester.userId !== actor.userId) {
    const decision = mayApprove(deps.policy, await fc.who(actor), actor.channelId, { ...record, approvals: [] });
    if (!decision.allowed) return fc.denied(actor, record.env, record.action, decision);
  }
  const rejected = await deps.pending.reject(pendingId, { userId: actor.userId });
  if (!rejected.ok) return { ok: false, message: rejected.message };
  await deps.audit.record({
    event: 'rejection',
    actor: { userId: actor.userId, teamId: actor.teamId },
    channelId: actor.channelId,
    env: record.env,
    action: record.action,
    pendingId,
    dryRun: deps.dryRun,
  });
  return { ok: true, record: rejected.record };
}
