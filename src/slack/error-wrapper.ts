import { errorReference, UserError } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import type { CommandContext } from './listeners/commands/subcommands.js';

/** What the user is told about a failure, and the reference under which the details were logged. */
export interface UserFacingError {
  text: string;
  reference?: string;
}

/**
 * The one place that decides what a user sees when something fails: a UserError's own message, or for
 * anything else a short reference while the details go to the log under that reference.
 */
export function describeForUser(err: unknown, logger: Logger, during = '/session-ttl'): UserFacingError {
  if (err instanceof UserError) {
    logger.info({ code: err.code }, `user error: ${err.message}`);
    return { text: `:warning: ${err.message}` };
  }
  const reference = errorReference();
  const e = err instanceof Error ? err : new Error(String(err));
  logger.error({ reference, err: { name: e.name, message: e.message, stack: e.stack } }, `unexpected error in ${during}`);
  return {
    text: `:boom: Something went wrong on my side. Please report reference \`${reference}\` to the bot's maintainers.`,
    reference,
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
      ctx.logger.error({ err: { message: (replyErr as Error).message } }, 'could not tell the user about an error');
    }
  }
}
