import type { SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Dispatcher } from '../../../../commands/dispatch.js';
import { requestId as defaultRequestId, type Logger } from '../../../../core/logging.js';
import type { Span } from '../../../../core/message.js';
import type { ChatPort } from '../../../../core/ports/chat.js';
import { slackCommandContext, slashReplies } from '../../command-context.js';
import type { GroupMembership } from '../../user-groups.js';
import { slackActor } from '../actions/actor.js';

export interface SlashCommandDeps {
  dispatcher: Dispatcher;
  chat: ChatPort;
  membership: GroupMembership;
  logger: Logger;
  requestId?: () => string;
  /** Aborted when shutdown's grace period is over: a command still running is answered "interrupted". */
  interrupted?: AbortSignal;
  /** The on-call user group's mention, for severe escalations in reports. */
  onCall?: Span;
}

/**
 * The `/session-ttl` listener: what Slack signed (user, team, channel, the text) becomes the neutral
 * command context, and the dispatcher runs the command. Each request gets a child logger
 * `{ req, user, channel }`; a command that never replied is acknowledged empty (Slack would show a timeout).
 */
export function createSlashCommandListener(
  deps: SlashCommandDeps,
): (args: SlackCommandMiddlewareArgs) => Promise<void> {
  const newId = deps.requestId ?? defaultRequestId;
  return async ({ command, ack, respond }) => {
    const logger = deps.logger.child({ req: newId(), user: command.user_id, channel: command.channel_id });
    const replies = slashReplies(ack, respond);
    const actor = slackActor(
      {
        userId: command.user_id,
        teamId: command.team_id,
        channelId: command.channel_id,
        ...(command.enterprise_id ? { enterpriseId: command.enterprise_id } : {}),
      },
      deps.membership,
    );
    await deps.dispatcher.run(
      slackCommandContext({
        actor,
        text: command.text,
        replies,
        chat: deps.chat,
        logger,
        ...(deps.interrupted ? { interrupted: deps.interrupted } : {}),
        ...(deps.onCall ? { onCall: deps.onCall } : {}),
      }),
    );
    if (!replies.acked()) await ack();
  };
}
