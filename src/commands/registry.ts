import { UserError } from '../core/errors.js';
import { usageOf } from './command-text.js';
import type { Command } from './context.js';

/** The commands by name, in the order they were listed (help shows them in that order). */
export interface CommandRegistry {
  readonly all: readonly Command[];
  get(name: string): Command | undefined;
}

/**
 * Builds the registry from a plain list; a duplicate name is a programming error and fails at start-up.
 *
 * @example
 * const commands = createCommandRegistry([diagnoseCommand(deps), envsCommand(deps), helpCommand(...)]);
 */
export function createCommandRegistry(list: readonly Command[]): CommandRegistry {
  const byName = new Map<string, Command>();
  for (const c of list) {
    if (byName.has(c.name)) throw new Error(`duplicate command "${c.name}" in the command registry`);
    byName.set(c.name, c);
  }
  return { all: [...byName.values()], get: (name) => byName.get(name) };
}

/** Validates a command's words; the message says what was expected and shows its usage. */
export function parseParams<P>(command: Command<P>, args: string[], invocation: string): P {
  const parsed = command.params.safeParse(args);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => i.message).join('; ');
  throw new UserError(`\`${command.name}\`: ${issues}.\n${usageOf(command.usage, invocation)}`, 'bad_command');
}
