import { z } from 'zod';
import { UserError } from '../../../../core/errors.js';

/** The slash command text split into a subcommand and its arguments. */
export interface ParsedCommandText {
  subcommand: string;
  args: string[];
}

export const MAX_COMMAND_TEXT = 300;
// Plain names, and the two flags of `diagnose` (a full audit, gentle unless fast is asked for).
const TOKEN = /^(?:[a-z0-9][a-z0-9._-]{0,63}|--full|--fast)$/;

/** Every subcommand's usage, in the order help lists them. */
const SUBCOMMAND_USAGES = [
  'diagnose <env> [check ...]',
  'verify <env>',
  'audit <env> [count]',
  'envs',
  'help',
] as const;

/** The slash command's usage hint; `manifests/slack-app.yaml` carries the same (a test holds them together). */
export const USAGE_HINT = SUBCOMMAND_USAGES.join(' | ');

const code = (usage: string) => `\`/session-ttl ${usage}\``;

export const USAGE = `Usage: ${SUBCOMMAND_USAGES.map(code).join(', ')}`;

/**
 * The one usage line after a subcommand's error: its own usage, then the others, so neither "Usage:"
 * nor the subcommand is printed twice.
 *
 * @example
 * usageOf('verify <env>') // "Usage: `/session-ttl verify <env>`. Other commands: `/session-ttl diagnose <env> [check ...]`, …"
 */
export function usageOf(usage: string): string {
  const others = SUBCOMMAND_USAGES.filter((u) => u !== usage);
  return `Usage: ${code(usage)}. Other commands: ${others.map(code).join(', ')}`;
}

const textSchema = z
  .string()
  .max(MAX_COMMAND_TEXT, `the command text is longer than ${MAX_COMMAND_TEXT} characters`)
  // Slack turns some characters into entities and may send non-breaking spaces; all whitespace is one separator.
  .transform((t) =>
    t
      .replace(/[\s\u00a0]+/g, ' ')
      .trim()
      .toLowerCase(),
  )
  .transform((t) => (t ? t.split(' ') : []))
  .pipe(z.array(z.string().regex(TOKEN, 'names are letters, digits, ".", "_" and "-" (at most 64 characters)')));

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
    throw new UserError(
      `I could not read that command${where}: ${issue?.message ?? 'invalid text'}.\n${USAGE}`,
      'bad_command',
    );
  }
  const [subcommand = 'help', ...args] = parsed.data;
  return { subcommand, args };
}
