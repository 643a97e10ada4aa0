import type { AckFn, RespondArguments, RespondFn } from '@slack/bolt';
import type { Actor, CommandContext } from '../../commands/context.js';
import type { Logger } from '../../core/logging.js';
import type { Message, Span } from '../../core/message.js';
import type { ChatPort } from '../../core/ports/chat.js';
import { toSlackReply } from './render/reply.js';

/** How a person types a command in Slack: usage lines and "run it again" hints start with it. */
export const COMMAND_NAME = '/session-ttl';

/** Replies to the person who asked, and whether the request has been acknowledged. */
export interface SlackReplies {
  reply(message: Message): Promise<void>;
  acked(): boolean;
}

/**
 * Replies of a slash command: the first is the acknowledgement (Slack waits 3 s for it), later ones go
 * through the command's response_url. All are ephemeral.
 */
export function slashReplies(ack: AckFn<string | RespondArguments>, respond: RespondFn): SlackReplies {
  let acked = false;
  return {
    async reply(message) {
      const rendered = toSlackReply(message);
      if (acked) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...rendered });
        return;
      }
      acked = true;
      await ack({ response_type: 'ephemeral', ...rendered });
    },
    acked: () => acked,
  };
}

/** Replies of a click: Bolt acknowledged it already; every reply goes through the response_url, ephemeral. */
export function clickReplies(respond: RespondFn): SlackReplies {
  return {
    async reply(message) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...toSlackReply(message) });
    },
    acked: () => true,
  };
}

/** The neutral command context of a Slack request: posts go to the actor's channel through the chat port. */
export function slackCommandContext(opts: {
  actor: Actor;
  text: string;
  replies: SlackReplies;
  chat: ChatPort;
  logger: Logger;
  interrupted?: AbortSignal;
  /** The on-call user group's mention (`slack.onCallUserGroup`), for severe escalations in reports. */
  onCall?: Span;
}): CommandContext {
  const { actor, chat } = opts;
  return {
    actor,
    text: opts.text,
    invocation: COMMAND_NAME,
    logger: opts.logger,
    reply: (message) => opts.replies.reply(message),
    post: (message, o) =>
      chat.post({ channel: actor.channelId, ...(o?.threadTs ? { threadTs: o.threadTs } : {}), message }),
    update: (ref, message) => chat.update({ ...ref, message }),
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
    ...(opts.onCall ? { onCall: opts.onCall } : {}),
  };
}
