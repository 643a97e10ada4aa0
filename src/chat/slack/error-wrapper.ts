import { describeError } from '../../core/describe-error.js';
import type { Logger } from '../../core/logging.js';
import type { CommandContext } from './listeners/commands/subcommands.js';

/** What the user is told about a failure, and the reference under which the details were logged. */
export interface UserFacingError {
  text: string;
  reference?: string;
}

/** `describeError` in Slack's words: a warning for what the user can fix, a reference for the rest. */
export function describeForUser(err: unknown, logger: Logger, during = '/session-ttl'): UserFacingError {
  const d = describeError(err, logger, during);
  return {
    text: `${d.expected ? ':warning:' : ':boom:'} ${d.message}`,
    ...(d.reference ? { reference: d.reference } : {}),
  };
}

/**
 * Runs a subcommand and turns its failure into an ephemeral reply: in the ack when it has not been sent
 * yet, else through the response_url. Listeners never catch errors themselves.
 */
export async function runWithErrorReply(ctx: CommandContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    const { text } = describeForUser(err, ctx.logger);
    try {
      if (!ctx.acked()) await ctx.ack(text);
      else await ctx.respond({ text });
    } catch (replyErr) {
      // The user cannot be told (expired response_url...): the log is all that is left.
      ctx.logger.error({ err: replyErr }, 'could not tell the user about an error');
    }
  }
}
