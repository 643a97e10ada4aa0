import { chatErrorCode } from '../../core/ports/chat.js';
import type { Form } from '../../core/message.js';
import { noticeMessage } from '../../remediation/messages.js';
import type { CommandContext, FormHandle } from '../context.js';
import { errorReply } from '../error-reply.js';
import { platformName } from '../replies.js';
import type { FixDeps } from './fix-deps.js';
import { noticeForm, preparingForm, refusalForm } from './forms.js';
import { clickThread } from './thread-posts.js';

/** Replaces the open form; when the platform refuses, the person gets the form's message as a reply instead. */
export async function show(ctx: CommandContext, form: FormHandle, next: Form): Promise<void> {
  try {
    await form.update(next);
  } catch (err) {
    ctx.logger.warn({ err }, 'could not update the open form; replying instead');
    await ctx.reply(next.body);
  }
}

/** Authorizes and plans the offer (the flow decides), remembers the request's thread, shows the preview. */
async function prepare(deps: FixDeps, ctx: CommandContext, offerId: string, form: FormHandle): Promise<void> {
  const previewed = await deps.remediation.preview(ctx.actor, offerId);
  if (!previewed.ok) {
    ctx.logger.info({ reason: previewed.message }, 'remediation preview refused');
    await show(ctx, form, refusalForm(previewed.message));
    return;
  }
  const { record } = previewed;
  const thread = clickThread(ctx);
  if (thread) await deps.threads.remember(record.id, thread);
  await show(ctx, form, previewed.form);
  ctx.logger.info({ pending: record.id, action: record.action, env: record.env }, 'remediation preview shown');
}

/**
 * A click on a fix button (`fix:<action>` with an offer id). A "Preparing the preview…" form opens at
 * once, before any store is read (a platform gives a click seconds to open one: Slack 3 s); then the flow
 * authorizes and plans, and the form shows the preview, or why there is none. When the form cannot be
 * opened nothing is prepared (no pending record is left behind) and the clicker is told.
 */
export async function previewFix(deps: FixDeps, ctx: CommandContext, offerId: string): Promise<void> {
  if (!ctx.openForm) {
    await ctx.reply(noticeMessage('warning', 'A preview cannot be opened here; click the button in the report.'));
    return;
  }
  let form: FormHandle;
  try {
    form = await ctx.openForm(preparingForm());
  } catch (err) {
    const code = chatErrorCode(err);
    ctx.logger.warn({ code }, 'could not open the preview form; nothing was prepared');
    const platform = platformName(ctx.actor.platform);
    const why = code === 'expired_trigger_id' ? ': the click reached the bot too late to open a window' : '';
    await ctx.reply(
      noticeMessage(
        'warning',
        `${platform} did not open the preview (${code}${why}). Nothing was prepared; click the button again.`,
      ),
    );
    return;
  }
  try {
    await prepare(deps, ctx, offerId, form);
  } catch (err) {
    await show(ctx, form, noticeForm(errorReply(err, ctx.logger, 'a fix preview')));
  }
}
