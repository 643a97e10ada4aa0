import type { FormResult, FormSubmission } from '../../core/message.js';
import { approvalRequestMessage } from '../../remediation/messages.js';
import type { CommandContext } from '../context.js';
import type { FixDeps } from './fix-deps.js';
import { refusalForm } from './forms.js';
import { postApplied, postInThread } from './thread-posts.js';

/** Whether the submitted values differ from the stored plan's parameters (a new plan is needed). */
async function changedParams(deps: FixDeps, submission: FormSubmission): Promise<boolean> {
  const stored = await deps.remediation.storedPlan(submission.ref);
  return !!stored && Object.entries(submission.values).some(([k, v]) => String(stored.params[k]) !== String(v));
}

/** A changed parameter is a new plan: shown before anything happens, under a new pending id in the same thread. */
async function repreviewed(deps: FixDeps, ctx: CommandContext, submission: FormSubmission): Promise<FormResult> {
  const again = await deps.remediation.repreview(ctx.actor, submission.ref, submission.values);
  if (!again.ok) {
    const message = again.message.slice(0, 150);
    return { kind: 'errors', errors: Object.fromEntries(Object.keys(submission.values).map((k) => [k, message])) };
  }
  const thread = await deps.threads.of(submission.ref);
  if (thread) await deps.threads.remember(again.record.id, thread);
  return { kind: 'replace', form: again.form };
}

/**
 * The preview form was submitted: a changed parameter is planned again and shown; otherwise the request
 * is made (authorized again by the flow) and its approval request, or what was applied, is posted in the
 * report's thread. A refusal is shown in the form.
 */
export async function submitFix(deps: FixDeps, ctx: CommandContext, submission: FormSubmission): Promise<FormResult> {
  if (await changedParams(deps, submission)) return repreviewed(deps, ctx, submission);
  const thread = await deps.threads.of(submission.ref);
  const requested = await deps.remediation.request({ ...ctx.actor, channelId: thread?.channel ?? '' }, submission.ref);
  if (!requested.ok) return { kind: 'replace', form: refusalForm('Not requested', requested.message) };
  const channel = requested.record.requester.channelId;
  if (requested.applied) await postApplied(deps, ctx, thread, requested.applied, channel);
  else await postInThread(ctx, thread, approvalRequestMessage(requested.record, requested.awaiting ?? 1), channel);
  return { kind: 'close' };
}
