import type { FormResult, FormSubmission } from '../../core/message.js';
import { PREVIEW_FORM } from '../../remediation/plan-form.js';
import type { CommandContext } from '../context.js';
import { errorReply } from '../error-reply.js';
import { approveFix, rejectFix } from './decide.js';
import type { FixDeps } from './fix-deps.js';
import { noticeForm } from './forms.js';
import { previewFix } from './preview.js';
import { revertFix } from './revert.js';
import { submitFix } from './submit.js';

export type { FixDeps } from './fix-deps.js';
export { threadMemory, type ThreadMemory } from './threads.js';

/** The command a fix button carries: `fix:<action id>`, with an offer id as its ref. */
export const FIX_COMMAND_PREFIX = 'fix:';
/** The buttons on an approval request and on an applied change; each carries a pending (or revert) id. */
export const DECISION_COMMANDS = ['approve', 'reject', 'revert'] as const;
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
  /** The preview form's submission: what the form shows next (closed, errors, another form). */
  submit(ctx: CommandContext, submission: FormSubmission): Promise<FormResult>;
  /** Approve, Reject or Revert, with the opaque id the button carries. */
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
  const decisions = { approve: approveFix, reject: rejectFix, revert: revertFix } as const;
  return {
    preview: (ctx, offerId) => answered(ctx, 'a fix preview', () => previewFix(deps, ctx, offerId)),
    async submit(ctx, submission) {
      try {
        return await submitFix(deps, ctx, submission);
      } catch (err) {
        return { kind: 'replace', form: noticeForm('Not requested', errorReply(err, ctx.logger, 'a fix request')) };
      }
    },
    decide: (ctx, command, ref) => answered(ctx, `a ${command} click`, () => decisions[command](deps, ctx, ref)),
  };
}
