import type { CommandContext } from '../../commands/context.js';
import type { Logger } from '../../core/logging.js';
import { clip, type Message } from '../../core/message.js';
import { ChatError } from '../../core/ports/chat.js';
import { channelOf, teamOf, type Activity } from './activity.js';
import type { VerifiedActivity } from './bot-token.js';
import type { BotConnector, ConversationAt } from './bot-connector.js';
import type { TeamsGroups } from './graph-groups.js';
import type { MemberMris } from './member-mris.js';
import { adaptiveCard } from './render/adaptive-card.js';
import { personalBlock } from './render/card-actions.js';
import { requestConversations } from './request-conversations.js';

/** How a person types a command in Teams: a mention of the bot. */
export const TEAMS_INVOCATION = '@session-ttl';

/**
 * A neutral message as the connector's message activity: one Adaptive Card, under 28 KB, and the plain text
 * as its `summary` (what notifications and fallbacks show). Not as `text`: Teams shows a message's text above
 * its card, so the report would read twice. `refreshUserIds`: the Teams user ids (MRIs) a card with buttons
 * for some people only (an approval request) is refreshed for (`refresh.userIds`).
 */
export function cardActivity(message: Message, refreshUserIds?: readonly string[]) {
  const summary = clip(message.text, 2000);
  const contentType = 'application/vnd.microsoft.card.adaptive' as const;
  const envelopeBytes = Buffer.byteLength(JSON.stringify({ type: 'message', summary, attachments: [{ contentType }] }));
  // The renderer counts the card; the envelope, `"content":` and the replyToId or id the connector adds are room kept.
  const budget = { envelopeBytes: envelopeBytes + 256, ...(refreshUserIds ? { refreshUserIds } : {}) };
  return { type: 'message' as const, summary, attachments: [{ contentType, content: adaptiveCard(message, budget) }] };
}

/** The activity of `message` sent to `to`: the MRIs of its per-person buttons' people found first. */
async function activityAt(members: MemberMris, to: ConversationAt, message: Message) {
  const audience = personalBlock(message.blocks)?.audience;
  return cardActivity(message, audience ? await members.refreshUserIds(to, audience) : undefined);
}

/**
 * The user id a Teams actor carries: `aad:<object id>`, as the access policy names Teams users. A sender
 * without an AAD object id (not a person of the tenant) gets `teams:<channel account id>`, which no
 * `aad:` rule matches.
 */
export function teamsUserId(from: Activity['from']): string {
  return from.aadObjectId ? `aad:${from.aadObjectId.toLowerCase()}` : `teams:${from.id}`;
}

/**
 * The command context of a verified Teams message: the actor is what the signed activity says (the AAD
 * object id, the tenant bound to the token, the channel; its Entra ID groups from Graph). Teams has no messages visible only to
 * one person in a channel, so replies and posts both go into the conversation: a reply answers the
 * message, a post is a new message in the thread it was asked in (or in the thread `threadTs` of a channel);
 * a post's ref is the channel and the activity id the connector gave, which `update` replaces. The core sees
 * channel ids only (`request-conversations.ts` turns them into the thread conversations Teams addresses).
 * Idempotency keys are not used yet (Teams has no lookup by key; the outbox is Slack's).
 */
export function teamsCommandContext(o: {
  activity: Activity & { id: string };
  verified: VerifiedActivity;
  text: string;
  connector: BotConnector;
  /** The sender's Entra ID groups (Microsoft Graph, cached): `actor.groups`, read by the access policy. */
  groups: TeamsGroups;
  /** The MRIs of the people a card's per-person buttons are for (`refresh.userIds` of an approval request). */
  members: MemberMris;
  logger: Logger;
  interrupted?: AbortSignal;
}): CommandContext {
  const { activity, verified, connector } = o;
  const serviceUrl = verified.serviceUrl;
  const places = requestConversations(activity.conversation);
  // The request's team, for cards in its own channel (another channel may be in another team).
  const inTeam = (channel: string) => (channelOf(channel) === places.channel ? teamOf(activity) : {});
  return {
    actor: {
      platform: 'teams',
      teamId: verified.tenantId,
      userId: teamsUserId(activity.from),
      channelId: places.channel,
      groups: (candidates) => o.groups(activity.from, candidates),
    },
    text: o.text,
    invocation: TEAMS_INVOCATION,
    logger: o.logger,
    reply: async (message) => {
      const conversationId = activity.conversation.id;
      await connector.replyTo({ serviceUrl, conversationId, activityId: activity.id }, cardActivity(message));
    },
    post: async (message, opts) => {
      const channel = channelOf(opts?.channel ?? places.channel);
      const root = opts?.threadTs;
      const conversationId = root ? places.threadIn(channel, root) : places.postIn(channel);
      const to = { serviceUrl, conversationId, ...inTeam(channel) };
      const card = await activityAt(o.members, to, message);
      const sent = root ? await connector.replyTo({ ...to, activityId: root }, card) : await connector.send(to, card);
      // Posted, but without an id it cannot be updated later: say so rather than post it twice.
      if (!sent.id) o.logger.warn('the Bot Connector gave no activity id; this post cannot be updated');
      return { channel, ts: sent.id ?? '' };
    },
    update: async (ref, message) => {
      if (!ref.ts) throw new ChatError('refused', 'connector_no_activity_id');
      const at = { serviceUrl, conversationId: places.updateIn(ref), ...inTeam(ref.channel) };
      await connector.update({ ...at, activityId: ref.ts }, await activityAt(o.members, at, message));
    },
    ...(o.interrupted ? { interrupted: o.interrupted } : {}),
  };
}
