import { errorReference, UserError } from './errors.js';
import type { Logger } from './logging.js';

/** What a person is told about a failure, and the reference under which the details were logged. */
export interface DescribedError {
  /** A UserError's own words, or a short "something went wrong" with the reference. */
  message: string;
  /** True for a UserError: the person can act on it. */
  expected: boolean;
  reference?: string;
}

/**
 * The one place that decides what a person sees when something fails: a UserError's own message, or
 * for anything else a short reference while the details go to the log under that reference.
 * Renderers add their platform's decoration (an emoji in Slack, colour in a terminal).
 */
export function describeError(err: unknown, logger: Logger, during: string): DescribedError {
  if (err instanceof UserError) {
    logger.info({ code: err.code }, `user error: ${err.message}`);
    return { message: err.message, expected: true };
  }
  const reference = errorReference();
  logger.error(
    { reference, err: err instanceof Error ? err : new Error(String(err)) },
    `unexpected error in ${during}`,
  );
  return {
    message: `Something went wrong on my side. Please report reference \`${reference}\` to the bot's maintainers.`,
    expected: false,
    reference,
  };
}
