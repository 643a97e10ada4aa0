import type { z } from 'zod';
import { UserError } from '../../../../core/errors.js';
import type { Logger } from '../../../../core/logging.js';
import type { ChatPort } from '../../../../core/ports/chat.js';
import type { SlackMessage } from '../../render/block-kit.js';
import { usageOf } from './command-text.js';

/** The parts of Slack's slash command payload the subcommands read. */
export interface SlashCommandInfo {
  user_id: string;
  channel_id: string;
  team_id?: string;
  text: string;
}

/** What a subcommand can do; built per request by the command router. */
export interface CommandContext {
  command: SlashCommandInfo;
  /** Acknowledges the command with an ephemeral reply (at most once, within Slack's 3 s). */
  ack(text: string): Promise<void>;
  /** Whether ack() was called. */
  acked(): boolean;
  /** An ephemeral message to the user through the command's response_url. */
  respond(message: { text: string; blocks?: SlackMessage['blocks'] }): Promise<void>;
  /** Posting in channels: the one chat interface (neutral messages). */
  chat: ChatPort;
  /** Records how long a subcommand took (the `/metrics` histogram); absent, nothing is recorded. */
  observeCommand?: (subcommand: string, seconds: number) => void;
  logger: Logger;
}

/**
 * One `/session-ttl <name> ...` subcommand. `params` validates the words after the name.
 *
 * @example
 * { name: 'envs', usage: 'envs', summary: 'List environments', params: z.tuple([]), run: async (_, ctx) => ctx.ack('...') }
 */
export interface Subcommand<P = unknown> {
  name: string;
  usage: string;
  summary: string;
  params: z.ZodType<P, string[]>;
  run(params: P, ctx: CommandContext): Promise<void>;
}

export interface SubcommandRegistry {
  readonly all: readonly Subcommand[];
  get(name: string): Subcommand | undefined;
}

/** Builds the registry from a plain list; a duplicate name is a programming error and fails at start-up. */
export function createSubcommandRegistry(list: readonly Subcommand<any>[]): SubcommandRegistry {
  const byName = new Map<string, Subcommand>();
  for (const s of list) {
    if (byName.has(s.name)) throw new Error(`duplicate subcommand "${s.name}" in the /session-ttl registry`);
    byName.set(s.name, s as Subcommand);
  }
  return { all: [...byName.values()], get: (name) => byName.get(name) };
}

/** Validates a subcommand's words; the message says what was expected and shows its usage. */
export function parseParams<P>(sub: Subcommand<P>, args: string[]): P {
  const parsed = sub.params.safeParse(args);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => i.message).join('; ');
  throw new UserError(`\`${sub.name}\`: ${issues}.\n${usageOf(sub.usage)}`, 'bad_command');
}
