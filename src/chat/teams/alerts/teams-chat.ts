import { createHash } from 'node:crypto';
import { z } from 'zod';
import { t } from '../../../core/message.js';
import { ChatError, type ChatPort, type MessageRef } from '../../../core/ports/chat.js';
import type { StateStore } from '../../../core/ports/state-store.js';
import { parseStored } from '../../../core/stored-json.js';
import type { BotConnector } from '../bot-connector.js';
import { cardActivity } from '../command-context.js';
import { channelOf, threadOf } from '../activity.js';
import type { ConversationRef, ConversationRefs } from './conversation-refs.js';
import { teamsMessageLink } from './teams-link.js';

/** A keyed post is remembered a day: longer than any job or retry that could post it again. */
const POST_RECORD_TTL_MS = 24 * 3600_000;

const refSchema = z.object({ channel: z.string(), ts: z.string() });

/** The channel's team has not installed the app (or the bot never heard from there): nowhere to post. */
export function notInstalled(channel: string): ChatError {
  return new ChatError('not_in_channel', 'teams_app_not_installed', [
    t(`Add the session-ttl app to the team of channel ${channelOf(channel)} (Manage team, Apps), then try again`),
  ]);
}

export interface TeamsChatDeps {
  connector: BotConnector;
  refs: ConversationRefs;
  /** The Teams key space of the state store: keyed posts are remembered there. */
  store: StateStore;
  tenantId: string;
  /** TEAMS_WEB_URL: the host of the permalinks (deep links to a message). */
  webUrl: string;
}

/**
 * The chat port in Teams channels, for posts nobody asked for in that moment (alerts): a post is a new
 * conversation thread in the channel (`POST …/conversations/{channel}/activities`), a post with `threadTs`
 * a reply in that thread (`…/conversations/{channel};messageid={root}/activities/{root}` with `replyToId`),
 * an update a PUT of the activity in its conversation (a reply's: its thread's, named by `threadTs`); each at
 * the serviceUrl remembered for the channel (see onInstallEvent). A ref names the channel, as every ref the
 * Teams front end hands the core (the thread root apart). Teams has no lookup of a message
 * by a key of ours, so a post with a key is remembered (key -> where it landed) once the connector took it:
 * `findPosted` and a second post with that key return it. Not covered: a post whose answer was lost, or a
 * crash between the post and its record; that post can show twice.
 */
export function teamsChat(d: TeamsChatDeps): ChatPort {
  const recordKey = (key: string) => `post:${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
  const recorded = async (key: string) => parseStored(refSchema, await d.store.get(recordKey(key)));
  const at = async (channel: string): Promise<ConversationRef> => {
    const ref = await d.refs.get(channel);
    if (!ref) throw notInstalled(channel);
    return ref;
  };
  return {
    async post({ channel, threadTs, message, key }) {
      const earlier = key ? await recorded(key) : undefined;
      if (earlier) return earlier;
      const { serviceUrl } = await at(channel);
      const activity = cardActivity(message);
      const sent = threadTs
        ? await d.connector.replyTo(
            { serviceUrl, conversationId: threadOf(channel, threadTs), activityId: threadTs },
            activity,
          )
        : await d.connector.send({ serviceUrl, conversationId: channelOf(channel) }, activity);
      if (!sent.id) throw new ChatError('refused', 'connector_no_activity_id');
      const posted: MessageRef = { channel: channelOf(channel), ts: sent.id };
      if (key) await d.store.set(recordKey(key), JSON.stringify(posted), POST_RECORD_TTL_MS);
      return posted;
    },
    findPosted: ({ key }) => recorded(key),
    async update({ channel, ts, threadTs, message }) {
      const { serviceUrl } = await at(channel);
      // Without `threadTs` the ref's channel is the conversation: a post's own channel, or (a reply's ref kept
      // before refs named channels) its thread's conversation id.
      const conversationId = threadTs ? threadOf(channel, threadTs) : channel;
      await d.connector.update({ serviceUrl, conversationId, activityId: ts }, cardActivity(message));
    },
    async permalink(ref) {
      const known = await d.refs.get(ref.channel).catch(() => undefined);
      const { groupId, teamName, channelName } = known ?? {};
      return teamsMessageLink(
        {
          ...ref,
          tenantId: known?.tenantId ?? d.tenantId,
          ...(groupId ? { groupId } : {}),
          ...(teamName ? { teamName } : {}),
          ...(channelName ? { channelName } : {}),
        },
        d.webUrl,
      );
    },
  };
}
