import { z } from 'zod';
import { UserError } from '../core/errors.js';

/** A command's text split into the command name and its words. */
export interface ParsedCommandText {
  name: string;
  args: string[];
}

export const MAX_COMMAND_TEXT = 300;
// Plain names, and the two flags of `diagnose` (a full audit, gentle unless fast is asked for).
const TOKEN = /^(?:[a-z0-9][a-z0-9._-]{0,63}|--full|--fast)$/;
const TOKEN_RULE = 'names are letters, digits, ".", "_" and "-" (at most 64 characters)';

/** Every command's usage, in the order usage lines list them. */
export const COMMAND_USAGES = [
  'diagnose <env> [check ...]',
  'verify <env>',
  'audit <env> [count]',
  'envs',
  'help',
] as const;

/** The usage hint of the chat apps; `manifests/slack-app.yaml` carries the same (a test holds them together). */
export const USAGE_HINT = COMMAND_USAGES.join(' | ');

const code = (invocation: string, usage: string) => `\`${invocation} ${usage}\``;

/** `Usage: \`/session-ttl diagnose <env> [check ...]\`, …` with the platform's invocation. */
export function usageLine(invocation: string): string {
  return `Usage: ${COMMAND_USAGES.map((u) => code(invocation, u)).join(', ')}`;
}

/**
 * The one usage line after a command's error: its own usage, then the others, so neither "Usage:"
 * nor the command is printed twice.
 *
 * @example
 * usageOf('verify <env>', '/session-ttl') // "Usage: `/session-ttl verify <env>`. Other commands: `/session-ttl diagnose <env> [check ...]`, …"
 */
export function usageOf(usage: string, invocation: string): string {
  const others = COMMAND_USAGES.filter((u) => u !== usage);
  return `Usage: ${code(invocation, usage)}. Other commands: ${others.map((u) => code(invocation, u)).join(', ')}`;
}

const textSchema = z
  .string()
  .max(MAX_COMMAND_TEXT, `the command text is longer than ${MAX_COMMAND_TEXT} characters`)
  // Chat platforms turn some characters into entities and may send non-breaking spaces; all whitespace is one separator.
  .transform((t) =>
    t
      .replace(/[\s\u00a0]+/g, ' ')
      .trim()
      .toLowerCase(),
  )
  .transform((t) => (t ? t.split(' ') : []))
  .pipe(z.array(z.string().regex(TOKEN, TOKEN_RULE)));

/**
 * Parses a command's text. Empty text means `help`. Only plain names are accepted: the text is never
 * passed to a shell or evaluated, and anything else is rejected with the usage line.
 *
 * @example
 * parseCommandText('  Diagnose   PROD ttl-sample ', '/session-ttl') // { name: 'diagnose', args: ['prod', 'ttl-sample'] }
 */
export function parseCommandText(text: string | undefined, invocation: string): ParsedCommandText {
  const parsed = textSchema.safeParse(text ?? '');
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length ? ` (word ${Number(issue.path[0]) + 1})` : '';
    throw new UserError(
      `I could not read that command${where}: ${issue?.message ?? 'invalid text'}.\n${usageLine(invocation)}`,
      'bad_command',
    );
  }
  const [name = 'help', ...args] = parsed.data;
  return { name, args };
}

/**
 * Whether `ref` (a button's opaque reference) is one plain word: a button re-enters as `<command> <ref>`,
 * and a ref that held more words would be read as more arguments.
 */
export function isPlainRef(ref: string): boolean {
  return ref.length <= 64 && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(ref);
}
