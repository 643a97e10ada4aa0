// The bot's typed commands as the Teams app manifest lists them (`bots[0].commandLists`), so Teams suggests them
// after `@session-ttl`. The list comes from the same registry the bot runs (src/commands/bot-commands.ts).
import { openCanaryRedis } from '../../src/adapters/redis/canary-redis.js';
import { botCommands } from '../../src/commands/bot-commands.js';
import type { Command } from '../../src/commands/context.js';
import { statusCommand } from '../../src/commands/status.js';
import { parseConfig } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';

/** A command as the manifest lists it: Teams inserts `title` after the mention when it is picked. */
export interface ManifestCommand {
  title: string;
  description: string;
}

/**
 * What Teams shows of a command list (the Teams docs' bot menu limits; manifest 1.25's schema allows more, up to
 * 12 commands of 128 / 4000 characters, but Teams displays these): at most 10 commands per list, a title of at
 * most 32 characters, a description of at most 128.
 */
export const COMMAND_LIMITS = { commands: 10, title: 32, description: 128 } as const;

const notRunHere = (): never => {
  throw new Error('the Teams app packager reads the command list; it never runs a command');
};

/**
 * The bot's commands as `main.ts` registers them: the built-in ones with remediation on (so `audit` is there) and
 * the monitor's `status`. Nothing runs: the dependencies only have to exist for the commands to be listed.
 */
export function botCommandList(): readonly Command[] {
  const config = parseConfig(
    { environments: { listing: { profile: 'development', redis: { url: 'redis://127.0.0.1:1' } } } },
    'the Teams app packager',
  );
  const registry = botCommands({
    config,
    registry: createCheckRegistry([]),
    sourcesFor: notRunHere,
    processEnv: {},
    openRedis: openCanaryRedis,
    remediation: {
      reportActions: notRunHere,
      mayVerify: notRunHere,
      deniedVerify: notRunHere,
      recentAudit: notRunHere,
    },
    extra: [statusCommand({ config, status: notRunHere })],
  });
  return registry.all;
}

/** Cuts `text` to `max` characters at a word boundary, with an ellipsis when something was cut. */
function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:(]+$/, '')}…`;
}

/**
 * The manifest's entry of each command: the command word as the title, its usage and summary as the description
 * (cut at a word when they do not fit in Teams' 128 characters).
 *
 * @example
 * teamsCommandList([envsCommand]) // [{ title: 'envs', description: 'envs: List the environments I can diagnose' }]
 */
export function teamsCommandList(commands: readonly Pick<Command, 'name' | 'usage' | 'summary'>[]): ManifestCommand[] {
  return commands.map((c) => ({
    title: c.name,
    description: fit(`${c.usage}: ${c.summary}`, COMMAND_LIMITS.description),
  }));
}
