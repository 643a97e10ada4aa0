import {
  approvalOutcomeMessage,
  approvalRequestMessage,
  noticeMessage,
  revertApprovalOutcomeMessage,
  revertedMessage,
} from '../../remediation/messages.js';
import type { Decided } from '../../remediation/service.js';
import type { CommandContext } from '../context.js';
import type { FixDeps } from './fix-deps.js';
import { clickThread, followRevertingPullRequest, postApplied, postInThread } from './thread-posts.js';

/** The bot stopping ends the following of a rollout an apply started (the apply is recorded as done). */
export const interruptedOf = (ctx: CommandContext) => (ctx.interrupted ? { interrupted: ctx.interrupted } : {});

/** The approval message the click came from (updated in place), when the click came from a message. */
function clickedMessage(ctx: CommandContext) {
  const m = ctx.actor.message;
  return m ? { channel: m.channel, ts: m.ts } : undefined;
}

/** An approver's Approve: the last approval applies; the approval message says what happened. */
export async function approveFix(deps: FixDeps, ctx: CommandContext, pendingId: string): Promise<void> {
  const thread = (await deps.threads.of(pendingId)) ?? clickThread(ctx);
  const result = await deps.remediation.approve(ctx.actor, pendingId, interruptedOf(ctx));
  if (!result.ok) {
    await ctx.reply(noticeMessage('warning', result.message));
    return;
  }
  await afterApproval(deps, ctx, thread, result);
}

async function afterApproval(
  deps: FixDeps,
  ctx: CommandContext,
  thread: ReturnType<typeof clickThread>,
  decided: Decided,
): Promise<void> {
  const approvalMessage = clickedMessage(ctx);
  if (decided.reverted) {
    const { record, reverted } = decided;
    if (approvalMessage) await ctx.update(approvalMessage, revertApprovalOutcomeMessage(record, reverted));
    await followRevertingPullRequest(deps, ctx, thread, reverted, {
      env: record.env,
      action: record.action,
      pendingId: record.id,
      requester: record.requester,
      approvers: record.approvals,
    });
    await postInThread(ctx, thread, revertedMessage(reverted, record.requester.userId, record.approvals));
  } else if (decided.applied) {
    // Whatever the outcome, the request is over: its message says what happened and loses its buttons.
    if (approvalMessage) await ctx.update(approvalMessage, approvalOutcomeMessage(decided.applied));
    await postApplied(deps, ctx, thread, decided.applied);
  } else if (approvalMessage) {
    await ctx.update(approvalMessage, approvalRequestMessage(decided.record, decided.awaiting ?? 1, decided.approvers));
  }
}

/** Reject (an approver, or the requester withdrawing): nothing is applied; the approval message says who rejected. */
export async function rejectFix(deps: FixDeps, ctx: CommandContext, pendingId: string): Promise<void> {
  const thread = (await deps.threads.of(pendingId)) ?? clickThread(ctx);
  const result = await deps.remediation.reject(ctx.actor, pendingId);
  if (!result.ok) {
    await ctx.reply(noticeMessage('warning', result.message));
    return;
  }
  const { record } = result;
  const approvalMessage = clickedMessage(ctx);
  if (approvalMessage)
    await ctx.update(
      approvalMessage,
      noticeMessage('info', `${record.action} in ${record.env} was rejected; nothing was changed.`, [
        [{ text: 'Rejected by ' }, { mentionUser: ctx.actor.userId }],
      ]),
    );
  else
    await postInThread(ctx, thread, noticeMessage('info', `Rejected by <@${ctx.actor.userId}>: nothing was changed.`));
}
