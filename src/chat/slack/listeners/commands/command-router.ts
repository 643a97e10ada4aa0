import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { requestId as defaultRequestId, type Logger } from '../../../../core/logging.js';
import { parseCommandText } from './command-text.js';
import { runWithErrorReply } from '../../error-wrapper.js';
import { parseParams, type CommandContext, type SubcommandRegistry } from './subcommands.js';
import { UserError } from '../../../../core/errors.js';
import type { ChatPort } from '../../../../core/ports/chat.js';

export const COMMAND_NAME = '/session-ttl';

export interface CommandRouterDeps {
  subcommands: SubcommandRegistry;
  chat: ChatPort;
  logger: Logger;
  requestId?: () => string;
  observeCommand?: (subcommand: string, seconds: number) => void;
  /** Aborted when shutdown's grace period is over: a command still running is answered "interrupted". */
  interrupted?: AbortSignal;
}

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * The `/session-ttl` listener: parses the text, picks the subcommand from the registry and runs it
 * inside the one error wrapper. Each request gets a child logger `{ req, user, channel }`.
 */
export function createCommandRouter(deps: CommandRouterDeps): (args: CommandArgs) => Promise<void> {
  const newId = deps.requestId ?? defaultRequestId;
  return async ({ command, ack, respond }) => {
    let acked = false;
    const logger = deps.logger.child({ req: newId(), user: command.user_id, channel: command.channel_id });
    const ctx: CommandContext = {
      command: {
        user_id: command.user_id,
        channel_id: command.channel_id,
        team_id: command.team_id,
        text: command.text,
      },
      async ack(text) {
        if (acked) throw new Error('ack() called twice');
        acked = true;
        await ack({ response_type: 'ephemeral', text });
      },
      acked: () => acked,
      async respond(message) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...message });
      },
      chat: deps.chat,
      logger,
      ...(deps.observeCommand ? { observeCommand: deps.observeCommand } : {}),
    };
    await dispatchInterruptible(deps.subcommands, ctx, command.text, deps.interrupted);
    // A subcommand that never acknowledged would leave Slack showing a timeout error.
    if (!acked) await ack();
  };
}

/** What the user reads when a restart cut their command short: what happened and what to type again. */
export function interruptedText(text: string): string {
  return `:warning: \`${COMMAND_NAME} ${text.trim()}\` was interrupted by a restart of the bot before it finished; nothing more will be posted for it. Run it again: \`${COMMAND_NAME} ${text.trim()}\``;
}

/**
 * `dispatchCommand`, cut short when `interrupted` aborts (shutdown's grace period is over): the user is
 * told the command was interrupted by a restart, with the command to run again, and whatever the
 * abandoned run would still post (a report, or a false "unreachable" once the sources close) is dropped.
 * Resolves when the command finished; the host stops waiting for an interrupted one after its last-words time.
 */
export async function dispatchInterruptible(
  subcommands: SubcommandRegistry,
  ctx: CommandContext,
  text: string,
  interrupted: AbortSignal | undefined,
): Promise<void> {
  if (!interrupted) return dispatchCommand(subcommands, ctx, text);
  let muted = false;
  const drop = (what: string) => {
    ctx.logger.info({ what }, 'not posted: the command was interrupted by a restart');
  };
  const guarded: CommandContext = {
    ...ctx,
    ack: (t) => (muted ? Promise.resolve(drop('ack')) : ctx.ack(t)),
    respond: (m) => (muted ? Promise.resolve(drop('response')) : ctx.respond(m)),
    chat: {
      post: (m) => (muted ? Promise.reject(new Error('interrupted by a restart')) : ctx.chat.post(m)),
      update: (m) => (muted ? Promise.resolve(drop('update')) : ctx.chat.update(m)),
      permalink: (r) => ctx.chat.permalink(r),
    },
  };
  let onAbort = () => undefined as void;
  const aborted = new Promise<'interrupted'>((resolve) => {
    onAbort = () => resolve('interrupted');
    if (interrupted.aborted) onAbort();
    else interrupted.addEventListener('abort', onAbort, { once: true });
  });
  const run = dispatchCommand(subcommands, guarded, text);
  const outcome = await Promise.race([run.then(() => 'done' as const), aborted]);
  interrupted.removeEventListener('abort', onAbort);
  if (outcome === 'done') return;
  muted = true;
  ctx.logger.warn({ command: text }, 'command interrupted by a restart; told the user to run it again');
  try {
    if (!ctx.acked()) await ctx.ack(interruptedText(text));
    else await ctx.respond({ text: interruptedText(text) });
  } catch (err) {
    ctx.logger.error({ err }, 'could not tell the user that their command was interrupted');
  }
  // Still tracked, so that its clean-up (a verify canary) gets the host's last-words time before the sources close.
  await run.catch(() => undefined);
}

/**
 * Runs `/session-ttl <text>` in `ctx`: the one path for typed commands and for buttons that are
 * commands (Re-run, Verify), so both get the same validation, authorization and error replies.
 */
export async function dispatchCommand(
  subcommands: SubcommandRegistry,
  ctx: CommandContext,
  text: string,
): Promise<void> {
  const started = performance.now();
  // Only registered names become a label value: the text itself is untrusted.
  let known = 'unknown';
  await runWithErrorReply(ctx, async () => {
    const { subcommand, args } = parseCommandText(text);
    ctx.logger.info({ subcommand, args }, 'command');
    const sub = subcommands.get(subcommand);
    if (!sub) {
      const names = subcommands.all.map((s) => `\`${s.name}\``).join(', ');
      throw new UserError(`Unknown subcommand \`${subcommand}\`. Try one of ${names}.`, 'unknown_subcommand');
    }
    known = sub.name;
    await sub.run(parseParams(sub, args), ctx);
  });
  ctx.observeCommand?.(known, (performance.now() - started) / 1000);
}
