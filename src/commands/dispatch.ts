import { UserError } from '../core/errors.js';
import { parseCommandText, isPlainRef } from './command-text.js';
import type { CommandMetrics } from './command-metrics.js';
import type { CommandContext } from './context.js';
import { errorReply } from './error-reply.js';
import { runInterruptible } from './interruption.js';
import { parseParams, type CommandRegistry } from './registry.js';

export interface Dispatcher {
  readonly commands: CommandRegistry;
  /**
   * Runs the command typed as `ctx.text` (`diagnose prod ttl-sample`): the one path for typed commands and
   * for buttons, so both get the same validation, authorization and error replies. Never rejects: a
   * failure is answered to the person (see `errorReply`).
   */
  run(ctx: CommandContext): Promise<void>;
  /**
   * A click on a button that carries `command` and its opaque `ref`: re-enters `run` as `<command> <ref>`
   * when the command takes buttons and the ref is one plain word; anything else is refused.
   */
  button(ctx: CommandContext, click: { command: string; ref: string }): Promise<void>;
}

export interface DispatcherDeps {
  commands: CommandRegistry;
  /** Records how long each command took; absent, nothing is recorded. */
  metrics?: CommandMetrics;
  now?: () => number;
}

/**
 * The dispatcher over the registry: parses the text (zod; a bad word is answered with the usage line),
 * picks the command, validates its words, runs it (cut short with a clear answer when a restart
 * interrupts it), replies with what it returns, and turns any failure into the one error reply.
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const now = deps.now ?? (() => performance.now());
  const { commands } = deps;

  async function execute(ctx: CommandContext, known: { name: string }): Promise<void> {
    const { name, args } = parseCommandText(ctx.text, ctx.invocation);
    ctx.logger.info({ subcommand: name, args }, 'command');
    const command = commands.get(name);
    if (!command) {
      const names = commands.all.map((c) => `\`${c.name}\``).join(', ');
      throw new UserError(`Unknown subcommand \`${name}\`. Try one of ${names}.`, 'unknown_subcommand');
    }
    known.name = command.name;
    const last = await command.run(parseParams(command, args, ctx.invocation), ctx);
    if (last) await ctx.reply(last);
  }

  async function run(ctx: CommandContext): Promise<void> {
    const started = now();
    // Only registered names become a label value: the text itself is untrusted.
    const known = { name: 'unknown' };
    await runInterruptible(ctx, async (guarded) => {
      try {
        await execute(guarded, known);
      } catch (err) {
        await replyWithError(guarded, err);
      }
    });
    deps.metrics?.observe(known.name, (now() - started) / 1000);
  }

  return {
    commands,
    run,
    async button(ctx, { command, ref }) {
      const target = commands.get(command);
      if (!target?.button || !isPlainRef(ref)) {
        ctx.logger.warn({ command, ref: ref.slice(0, 80) }, 'refused a button that is not a command button');
        await replyWithError(ctx, new UserError('That button is not one I can act on.', 'bad_button'));
        return;
      }
      await run({ ...ctx, text: `${command} ${ref}` });
    },
  };
}

async function replyWithError(ctx: CommandContext, err: unknown): Promise<void> {
  try {
    await ctx.reply(errorReply(err, ctx.logger, ctx.invocation));
  } catch (replyErr) {
    // The person cannot be told (an expired response_url...): the log is all that is left.
    ctx.logger.error({ err: replyErr }, 'could not tell the user about an error');
  }
}
