import type { Form, FormSubmission } from '../../core/message.js';
import { PREVIEW_FORM } from '../../remediation/plan-form.js';
import type { CommandContext, FormHandle } from '../context.js';
import { errorReply } from '../error-reply.js';
import { approveFix, rejectFix } from './decide.js';
import type { FixDeps } from './fix-deps.js';
import { noticeForm, submittingForm } from './forms.js';
import { show } from './preview.js';
import { previewFix } from './preview.js';
import { finishFix } from './interrupted.js';
import { revertFix } from './revert.js';
import { submitFix } from './submit.js';

export type { FixDeps } from './fix-deps.js';
export { threadMemory, type ThreadMemory } from './threads.js';
export { reportMemory, type ReportMemory } from './reports.js';
export { reconcileOnce, type ReconcileDeps } from './interrupted.js';

/** The command a fix button carries: `fix:<action id>`, with an offer id as its ref. */
export const FIX_COMMAND_PREFIX = 'fix:';
/**
 * The buttons on an approval request, on an applied change and on an interrupted apply (Finish); each carries
 * a pending (or revert) id.
 */
export const DECISION_COMMANDS = ['approve', 'reject', 'revert', 'finish'] as const;
export type DecisionCommand = (typeof DECISION_COMMANDS)[number];
/** The form whose submission requests a previewed change. */
export const FIX_FORM = PREVIEW_FORM;

/**
 * The remediation buttons as chat-neutral use cases: a fix click previews, the preview's submission
 * requests, Approve / Reject / Revert decide. Each takes the neutral command context a front end built
 * from what its platform signed; every decision is the remediation flow's. Failures are answered to the
 * person (`errorReply`), never thrown at the front end.
 */
export interface FixCommands {
  /** A fix button's click, with the opaque offer id it carries. */
  preview(ctx: CommandContext, offerId: string): Promise<void>;
  /**
   * What a submitted form shows at once (the platform's acknowledgement: Slack gives it 3 s), before
   * `submit` reads anything. Pure.
   */
  progress(submission: FormSubmission): Form;
  /** The preview form's submission; `form` is the open form (showing `progress`), which it replaces with the result. */
  submit(ctx: CommandContext, submission: FormSubmission, form: FormHandle): Promise<void>;
  /** Approve, Reject, Revert or Finish, with the opaque id the button carries. */
  decide(ctx: CommandContext, command: DecisionCommand, ref: string): Promise<void>;
}

async function answered(ctx: CommandContext, during: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    await ctx.reply(errorReply(err, ctx.logger, during)).catch((replyErr: unknown) => {
      ctx.logger.error({ err: replyErr }, 'could not tell the user about an error');
    });
  }
}

export function createFixCommands(deps: FixDeps): FixCommands {
  const decisions = { approve: approveFix, reject: rejectFix, revert: revertFix, finish: finishFix } as const;
  return {
    preview: (ctx, offerId) => answered(ctx, 'a fix preview', () => previewFix(deps, ctx, offerId)),
    progress: () => submittingForm(),
    async submit(ctx, submission, form) {
      try {
        await submitFix(deps, ctx, submission, form);
      } catch (err) {
        await show(ctx, form, noticeForm(errorReply(err, ctx.logger, 'a fix request')));
      }
    },
    decide: (ctx, command, ref) => answered(ctx, `a ${command} click`, () => decisions[command](deps, ctx, ref)),
  };
}
