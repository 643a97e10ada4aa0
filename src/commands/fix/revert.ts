import { noticeMessage } from '../../remediation/messages.js';
import type { CommandContext } from '../context.js';
import type { FixDeps } from './fix-deps.js';
import { clickThread, postInThread } from './thread-posts.js';

/** Revert: the flow restores the recorded previous values once; the result is posted in the thread. */
export async function revertFix(deps: FixDeps, ctx: CommandContext, revertId: string): Promise<void> {
  const result = await deps.remediation.revert(ctx.actor, revertId);
  if (!result.ok) {
    await ctx.reply(noticeMessage('warning', result.message));
    return;
  }
  await postInThread(
    ctx,
    clickThread(ctx),
    noticeMessage(result.outcome.ok ? 'ok' : 'error', result.message, [
      [{ text: 'Reverted by ' }, { mentionUser: ctx.actor.userId }],
    ]),
  );
}
