import { z } from 'zod';
import type { AlertPostHandler } from '../../../alerts/alert-post-flow.js';
import type { Logger } from '../../../core/logging.js';
import type { VerifiedActivity } from '../bot-token.js';
import { channelOf, threadRootOf } from '../activity.js';
import type { ConversationRefs } from './conversation-refs.js';
import { parseTeamsAlertPost } from './parse-teams-alert-post.js';

const id = z.string().min(1).max(1024);

/** What the bot reads of a channel message (anything else of it is ignored). */
const messageSchema = z.object({
  id,
  timestamp: z.string().max(64).optional().catch(undefined),
  text: z.string().max(100_000).optional().catch(undefined),
  attachments: z.array(z.unknown()).max(50).catch([]).default([]),
  entities: z.array(z.unknown()).max(100).catch([]).default([]),
  from: z.object({ id, aadObjectId: z.string().max(64).optional() }),
  recipient: z.object({ id }),
  conversation: z.object({ id }),
  channelData: z.object({ team: z.object({ id, name: z.string().max(256).optional() }).optional() }).optional(),
});
type ChannelMessage = z.infer<typeof messageSchema>;

/**
 * Another bot, an incoming webhook or a workflow posted it: a bot's id starts `28:`, and only a person of
 * the tenant carries an AAD object id.
 */
export const sentByBot = (from: { id: string; aadObjectId?: string | undefined }) =>
  from.id.startsWith('28:') || !from.aadObjectId;

/** When it was posted: the activity's timestamp, else the message id (Teams makes it from the post's time). */
function postedAt(m: ChannelMessage): number | undefined {
  const at = m.timestamp ? Date.parse(m.timestamp) : Number.NaN;
  if (Number.isFinite(at)) return at;
  return /^\d{13}$/.test(m.id) ? Number(m.id) : undefined;
}

/**
 * A message in one of `teams.incidentChannels` (Teams delivers every channel message to the bot with the
 * RSC permission ChannelMessage.Read.Group): an alert post by another bot, an incoming webhook or a workflow
 * is parsed and handed to the alert flow, which answers in its thread; a person's message, the bot's own and
 * anything that is no alert post are left alone (debug log). Where to post in the channel is remembered
 * from the verified activity of an alert post, so the replies (on any replica) can go there.
 */
export async function onIncidentMessage(
  raw: unknown,
  verified: VerifiedActivity,
  deps: { refs: ConversationRefs; onAlertPost: AlertPostHandler; logger: Logger },
): Promise<void> {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) return deps.logger.debug('a Teams channel message the alert reader cannot read; ignored');
  const m = parsed.data;
  const channel = channelOf(m.conversation.id);
  const logger = deps.logger.child({ channel, ts: m.id });
  if (m.from.id === m.recipient.id) return;
  const root = threadRootOf(m.conversation.id);
  const threadTs = root && root !== m.id ? root : undefined;
  const post = parseTeamsAlertPost({
    ...m,
    fromBot: sentByBot(m.from),
    channel,
    ts: m.id,
    ...(threadTs ? { threadTs } : {}),
  });
  if (!post) return logger.debug('message in a Teams incident channel is not an alert post');
  if (!post.fromBot) return logger.debug("a person's message is not an alert post; not replying");
  const team = m.channelData?.team;
  await deps.refs.remember({
    serviceUrl: verified.serviceUrl,
    tenantId: verified.tenantId,
    channelId: channel,
    ...(team ? { teamId: team.id, ...(team.name ? { teamName: team.name } : {}) } : {}),
  });
  const at = postedAt(m);
  const located = { ...post, channel, ts: m.id, ...(threadTs ? { threadTs } : {}), ...(at ? { postedAtMs: at } : {}) };
  await deps.onAlertPost(located, {}, logger);
}
