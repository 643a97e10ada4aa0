import { describeError } from '../core/describe-error.js';
import type { Logger } from '../core/logging.js';
import type { Message } from '../core/message.js';
import { notice, textWithCode } from './replies.js';

/**
 * What the person is told about a failed command, decided in one place (`describeError`): a UserError's
 * own words with a caution icon; anything else a short reference, its details logged under it.
 */
export function errorReply(err: unknown, logger: Logger, during: string): Message {
  const d = describeError(err, logger, during);
  return notice(d.expected ? 'caution' : 'error', textWithCode(d.message));
}
