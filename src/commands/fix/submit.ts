import { t, type FormSubmission } from '../../core/message.js';
import { approvalRequestMessage, appliedMessage } from '../../remediation/messages.js';
import type { Decided } from '../../remediation/service.js';
import type { CommandContext, FormHandle } from '../context.js';
import { notice } from '../replies.js';
import type { FixDeps } from './fix-deps.js';
import { noticeForm, refusalForm } from './forms.js';
import { show } from './preview.js';
import { interruptedOf } from './decide.js';
import { postApplied, postInThread } from './thread-posts.js';

/** Whether the submitted values differ from the stored plan's parameters (a new plan is needed). */
async function changedParams(deps: FixDeps, submission: FormSubmission): Promise<boolean> {
  const stored = await deps.remediation.storedPlan(submission.ref);
  return !!stored && Object.entries(submission.values).some(([k, v]) => String(stored.params[k]) !== String(v));
}

/** A changed parameter is a new plan: shown before anything happens, under a new pending id in the same thread. */
async function repreview(deps: FixDeps, ctx: CommandContext, submission: FormSubmission, form: FormHandle) {
  const again = await deps.remediation.repreview(ctx.actor, submission.ref, submission.values);
  if (!again.ok) return show(ctx, form, refusalForm(again.message));
  const thread = await deps.threads.of(submission.ref);
  if (thread) await deps.threads.remember(again.record.id, thread);
  await show(ctx, form, again.form);
}

/** What the form says once the request is made: applied (or not), or waiting for approval in the thread. */
function requestedForm(decided: Decided) {
  if (decided.applied) return noticeForm(appliedMessage({ ...decided.applied, revertId: undefined }));
  const awaiting = decided.awaiting ?? 1;
  return noticeForm(
    notice('ok', [
      t(`Requested: ${awaiting} approval${awaiting === 1 ? '' : 's'} needed. `),
      t("The approval request is posted in the report's thread."),
    ]),
  );
}

/**
 * The preview form was submitted (the platform has shown a progress form already): a changed parameter is
 * planned again and shown; otherwise the request is made (authorized again by the flow) and its approval
 * request, or what was applied, is posted in the report's thread. The form ends with the result or the refusal.
 */
export async function submitFix(
  deps: FixDeps,
  ctx: CommandContext,
  submission: FormSubmission,
  form: FormHandle,
): Promise<void> {
  if (await changedParams(deps, submission)) return repreview(deps, ctx, submission, form);
  const thread = await deps.threads.of(submission.ref);
  const where = { ...ctx.actor, channelId: thread?.channel ?? '' };
  const requested = await deps.remediation.request(where, submission.ref, interruptedOf(ctx));
  if (!requested.ok) return show(ctx, form, refusalForm(requested.message));
  const channel = requested.record.requester.channelId;
  if (requested.applied) await postApplied(deps, ctx, thread, requested.applied, channel);
  else {
    const request = approvalRequestMessage(requested.record, requested.awaiting ?? 1, requested.approvers);
    await postInThread(ctx, thread, request, channel);
  }
  await show(ctx, form, requestedForm(requested));
}
