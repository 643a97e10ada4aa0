import { noticeMessage } from '../../remediation/messages.js';
import type { CommandContext } from '../context.js';
import type { FixDeps } from './fix-deps.js';
import { clickThread } from './thread-posts.js';

/**
 * A click on a fix button (`fix:<action>` with an offer id): the flow authorizes and plans it, the
 * request's thread is remembered, and the preview opens as a form. A refusal is told to the clicker.
 */
export async function previewFix(deps: FixDeps, ctx: CommandContext, offerId: string): Promise<void> {
  const previewed = await deps.remediation.preview(ctx.actor, offerId);
  if (!previewed.ok) {
    ctx.logger.info({ reason: previewed.message }, 'remediation preview refused');
    await ctx.reply(noticeMessage('warning', previewed.message));
    return;
  }
  const thread = clickThread(ctx);
  if (thread) await deps.threads.remember(previewed.record.id, thread);
  if (!ctx.openForm) {
    await ctx.reply(noticeMessage('warning', 'A preview cannot be opened here; click the button in the report.'));
    return;
  }
  await ctx.openForm(previewed.form);
  const { record } = previewed;
  ctx.logger.info({ pending: record.id, action: record.action, env: record.env }, 'remediation preview opened');
}
