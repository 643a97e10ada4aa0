import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { requestId as defaultRequestId, type Logger } from '../../../core/logging.js';
import { parseCommandText } from './command-text.js';
import { runWithErrorReply } from '../../error-wrapper.js';
import { parseParams, type CommandContext, type SubcommandRegistry } from './subcommands.js';
import { UserError } from '../../../core/errors.js';
import type { ChatPort } from '../../../core/ports/chat.js';

export const COMMAND_NAME = '/session-ttl';

export interface CommandRouterDeps {
  subcommands: SubcommandRegistry;
  chat: ChatPort;
  logger: Logger;
  requestId?: () => string;
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
      command: { user_id: command.user_id, channel_id: command.channel_id, team_id: command.team_id, text: command.text },
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
    };
    await dispatchCommand(deps.subcommands, ctx, command.text);
    // A subcommand that never acknowledged would leave Slack showing a timeout error.
    if (!acked) await ack();
  };
}

/**
 * Runs `/session-ttl <text>` in `ctx`: the one path for typed commands and for buttons that are
 * commands (Re-run, Verify), so both get the same validation, authorization and error replies.
 */
export async function dispatchCommand(subcommands: SubcommandRegistry, ctx: CommandContext, text: string): Promise<void> {
  await runWithErrorReply(ctx, async () => {
    const { subcommand, args } = parseCommandText(text);
    ctx.logger.info({ subcommand, args }, 'command');
    const sub = subcommands.get(subcommand);
    if (!sub) {
      const names = subcommands.all.map((s) => `\`${s.name}\``).join(', ');
      throw new UserError(`Unknown subcommand \`${subcommand}\`. Try one of ${names}.`, 'unknown_subcommand');
    }
    await sub.run(parseParams(sub, args), ctx);
  });
}
