import { z } from 'zod';
import { UserError } from '../../../core/errors.js';

/** The slash command text split into a subcommand and its arguments. */
export interface ParsedCommandText {
  subcommand: string;
  args: string[];
}

export const MAX_COMMAND_TEXT = 300;
const TOKEN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const USAGE = 'Usage: `/session-ttl diagnose <env> [check ...]`, `/session-ttl verify <env>`, `/session-ttl audit <env>`, `/session-ttl envs`, `/session-ttl help`';

const textSchema = z
  .string()
  .max(MAX_COMMAND_TEXT, `the command text is longer than ${MAX_COMMAND_TEXT} characters`)
  // Slack turns some characters into entities and may send non-breaking spaces; all whitespace is one separator.
  .transform((t) => t.replace(/[\s\u00a0]+/g, ' ').trim().toLowerCase())
  .transform((t) => (t ? t.split(' ') : []))
  .pipe(
    z.array(
      z.string().regex(TOKEN, 'names are letters, digits, ".", "_" and "-" (at most 64 characters)'),
    ),
  );

/**
 * Parses `/session-ttl` text. Empty text means `help`. Only plain names are accepted: the text is never
 * passed to a shell or evaluated, and anything else is rejected with the usage line.
 *
 * @example
 * parseCommandText('  Diagnose   PROD ttl-sample ') // { subcommand: 'diagnose', args: ['prod', 'ttl-sample'] }
 */
export function parseCommandText(text: string | undefined): ParsedCommandText {
  const parsed = textSchema.safeParse(text ?? '');
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length ? ` (word ${Number(issue.path[0]) + 1})` : '';
    throw new UserError(`I could not read that command${where}: ${issue?.message ?? 'invalid text'}.\n${USAGE}`, 'bad_command');
  }
  const [subcommand = 'help', ...args] = parsed.data;
  return { subcommand, args };
}
