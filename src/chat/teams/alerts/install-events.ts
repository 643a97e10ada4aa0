import { z } from 'zod';
import type { Logger } from '../../../core/logging.js';
import type { VerifiedActivity } from '../bot-token.js';
import { channelOf, type ConversationRef, type ConversationRefs } from './conversation-refs.js';

const id = z.string().min(1).max(1024);
const named = z.object({ id, name: z.string().max(256).optional() });

/**
 * What the bot reads of a `conversationUpdate` / `installationUpdate` activity (anything else of it is
 * ignored): who joined or left, the team and the channels it names.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/subscribe-to-conversation-events
 */
const eventSchema = z.object({
  type: z.enum(['conversationUpdate', 'installationUpdate']),
  action: z.string().max(64).optional(),
  membersAdded: z.array(z.object({ id })).max(1000).optional(),
  membersRemoved: z.array(z.object({ id })).max(1000).optional(),
  recipient: z.object({ id }),
  conversation: z.object({ id, name: z.string().max(256).optional() }),
  channelData: z
    .object({
      eventType: z.string().max(64).optional(),
      team: named.extend({ aadGroupId: z.string().max(64).optional() }).optional(),
      channel: named.optional(),
      settings: z.object({ selectedChannel: z.object({ id }).optional() }).optional(),
    })
    .optional(),
});
type InstallEvent = z.infer<typeof eventSchema>;

/** What the event means for the bot's references: the channels where it can now post, or can no longer. */
type Change = { add: boolean; channels: { id: string; name?: string }[] } | undefined;

const ADDS = new Set(['add', 'add-upgrade']);
const REMOVES = new Set(['remove', 'remove-upgrade']);

function changeOf(e: InstallEvent): Change {
  const d = e.channelData;
  if (!d?.team) return undefined; // a personal or group chat: no channel to remember
  const named = [
    { id: channelOf(e.conversation.id), ...(e.conversation.name ? { name: e.conversation.name } : {}) },
    ...(d.channel ? [d.channel] : []),
    ...(d.settings?.selectedChannel ? [d.settings.selectedChannel] : []),
    { id: d.team.id },
  ];
  const channels = named.filter((c, i) => named.findIndex((o) => o.id === c.id) === i);
  const me = (members: { id: string }[] | undefined) => members?.some((m) => m.id === e.recipient.id) ?? false;
  if (e.type === 'installationUpdate') {
    if (ADDS.has(e.action ?? '')) return { add: true, channels };
    return REMOVES.has(e.action ?? '') ? { add: false, channels } : undefined;
  }
  if (d.eventType === 'teamMemberAdded' && me(e.membersAdded)) return { add: true, channels };
  if (d.eventType === 'teamMemberRemoved' && me(e.membersRemoved)) return { add: false, channels };
  if (!d.channel) return undefined;
  if (d.eventType === 'channelDeleted') return { add: false, channels: [d.channel] };
  const seen = ['channelCreated', 'channelRenamed', 'channelRestored'].includes(d.eventType ?? '');
  return seen ? { add: true, channels: [d.channel] } : undefined;
}

/**
 * Keeps where to post when the app is installed in a team (or a channel is created, renamed, restored
 * there) and forgets it when the app is removed or the channel deleted; other events change nothing. The
 * activity is one Teams signed (verified before this runs): its serviceUrl and tenant are the token's.
 */
export async function onInstallEvent(
  raw: unknown,
  verified: VerifiedActivity,
  deps: { refs: ConversationRefs; logger: Logger },
): Promise<void> {
  const parsed = eventSchema.safeParse(raw);
  const change = parsed.success ? changeOf(parsed.data) : undefined;
  if (!parsed.success || !change) {
    deps.logger.debug({ type: parsed.data?.type }, 'Teams conversation event with nothing for the alert channels');
    return;
  }
  const team = parsed.data.channelData?.team;
  const ids = change.channels.map((c) => c.id);
  if (!change.add) {
    await Promise.all(ids.map((c) => deps.refs.forget(c)));
    deps.logger.info({ team: team?.name, channels: ids }, 'Teams: no longer posting in these channels (app removed)');
    return;
  }
  const base = { serviceUrl: verified.serviceUrl, tenantId: verified.tenantId };
  const teamPart = team && { teamId: team.id, ...(team.aadGroupId ? { groupId: team.aadGroupId } : {}) };
  const refs: ConversationRef[] = change.channels.map((c) => ({
    ...base,
    ...teamPart,
    ...(team?.name ? { teamName: team.name } : {}),
    channelId: c.id,
    ...(c.name ? { channelName: c.name } : {}),
  }));
  await Promise.all(refs.map((r) => deps.refs.remember(r)));
  deps.logger.info(
    { team: team?.name, channels: ids },
    'Teams: the app is in these channels; alerts can be posted there',
  );
}
