import type { CommandContext } from '../../commands/context.js';
import type { Logger } from '../../core/logging.js';
import type { Message } from '../../core/message.js';
import { ChatError } from '../../core/ports/chat.js';
import type { Activity } from './activity.js';
import type { VerifiedActivity } from './bot-token.js';
import type { BotConnector } from './bot-connector.js';
import { adaptiveCard } from './render/adaptive-card.js';

/** How a person types a command in Teams: a mention of the bot. */
export const TEAMS_INVOCATION = '@session-ttl';

/** A neutral message as the connector's message activity: the plain text and one Adaptive Card. */
export function cardActivity(message: Message) {
  return {
    type: 'message' as const,
    text: message.text,
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' as const, content: adaptiveCard(message) }],
  };
}

/**
 * The command context of a verified Teams message: the actor is what the signed activity says (the AAD
 * object id, the tenant bound to the token); replies are cards in reply to the message. Posting elsewhere
 * and updating come with the commands that need them (a later slice).
 */
export function teamsCommandContext(o: {
  activity: Activity & { id: string };
  verified: VerifiedActivity;
  text: string;
  connector: BotConnector;
  logger: Logger;
  interrupted?: AbortSignal;
}): CommandContext {
  const { activity, verified, connector } = o;
  const notYet = () => Promise.reject(new ChatError('refused', 'not_yet_in_teams'));
  return {
    actor: {
      platform: 'teams',
      teamId: verified.tenantId,
      userId: activity.from.aadObjectId ?? activity.from.id,
      channelId: activity.conversation.id,
      groups: () => Promise.resolve([]),
    },
    text: o.text,
    invocation: TEAMS_INVOCATION,
    logger: o.logger,
    reply: async (message) => {
      await connector.replyTo(
        { serviceUrl: verified.serviceUrl, conversationId: activity.conversation.id, activityId: activity.id },
        cardActivity(message),
      );
    },
    post: notYet,
    update: notYet,
    ...(o.interrupted ? { interrupted: o.interrupted } : {}),
  };
}
