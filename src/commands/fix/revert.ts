import { approvalRequestMessage, noticeMessage, revertedMessage } from '../../remediation/messages.js';
import type { CommandContext } from '../context.js';
import type { FixDeps } from './fix-deps.js';
import { clickThread, followRevertingPullRequest, postInThread } from './thread-posts.js';

/**
 * Revert: the flow restores the recorded previous values once (the thread hears what was restored), or,
 * where reverts need approval, asks for it in the thread like any request.
 */
export async function revertFix(deps: FixDeps, ctx: CommandContext, revertId: string): Promise<void> {
  const result = await deps.remediation.revert(ctx.actor, revertId);
  if (!result.ok) {
    await ctx.reply(noticeMessage('warning', result.message));
    return;
  }
  const thread = clickThread(ctx);
  if ('requested' in result) {
    const { record, awaiting, approvers } = result.requested;
    if (thread) await deps.threads.remember(record.id, thread);
    await postInThread(ctx, thread, approvalRequestMessage(record, awaiting ?? 1, approvers));
    return;
  }
  const { userId, teamId, channelId } = ctx.actor;
  // Followed before it is announced, as after an apply: a merge seen right after the message is not missed.
  await followRevertingPullRequest(deps, ctx, thread, result.reverted, {
    env: result.env,
    action: result.action,
    pendingId: result.pendingId,
    requester: { userId, teamId, channelId },
    approvers: [],
  });
  await postInThread(ctx, thread, revertedMessage(result.reverted, userId));
}
