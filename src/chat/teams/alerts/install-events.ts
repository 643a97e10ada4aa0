import { z } from 'zod';
import type { Logger } from '../../../core/logging.js';
import type { TeamChannel } from '../bot-connector.js';
import type { VerifiedActivity } from '../bot-token.js';
import { channelOf } from '../activity.js';
import type { ConversationRef, ConversationRefs } from './conversation-refs.js';

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

/**
 * What the event means for the bot's references: the channels where it can now post, or can no longer;
 * `team`: the app itself was added to (or removed from) the team, so every channel of it is concerned.
 */
type Change = { add: boolean; channels: TeamChannel[]; team?: boolean } | undefined;

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
    if (ADDS.has(e.action ?? '')) return { add: true, channels, team: true };
    return REMOVES.has(e.action ?? '') ? { add: false, channels, team: true } : undefined;
  }
  if (d.eventType === 'teamMemberAdded' && me(e.membersAdded)) return { add: true, channels, team: true };
  if (d.eventType === 'teamMemberRemoved' && me(e.membersRemoved)) return { add: false, channels, team: true };
  if (!d.channel) return undefined;
  if (d.eventType === 'channelDeleted') return { add: false, channels: [d.channel] };
  const seen = ['channelCreated', 'channelRenamed', 'channelRestored'].includes(d.eventType ?? '');
  return seen ? { add: true, channels: [d.channel] } : undefined;
}

/** What the install and channel events need: where references are kept, and the team's channel list. */
export interface InstallEventDeps {
  refs: ConversationRefs;
  logger: Logger;
  /** The team's channels (the Bot Connector's list): the app added to a team can post in every one of them. */
  teamChannels?: (to: { serviceUrl: string; teamId: string }) => Promise<TeamChannel[]>;
}

/**
 * The event's channels and, for the app added to or removed from a team, every channel of the team: listed by
 * the connector when added (best effort), the ones kept then when removed.
 */
async function channelsOf(
  change: NonNullable<Change>,
  teamId: string | undefined,
  serviceUrl: string,
  deps: InstallEventDeps,
): Promise<TeamChannel[]> {
  if (!change.team || !teamId) return change.channels;
  const plus = (more: readonly TeamChannel[]) => [
    ...change.channels,
    ...more.filter((c) => !change.channels.some((n) => n.id === c.id)),
  ];
  if (!change.add) return plus((await deps.refs.takeTeam(teamId)).map((id) => ({ id })));
  if (!deps.teamChannels) return change.channels;
  try {
    return plus(await deps.teamChannels({ serviceUrl, teamId }));
  } catch (err) {
    deps.logger.warn(
      { err, team: teamId },
      "could not list the team's channels; alerts go to the channels the event named",
    );
    return change.channels;
  }
}

/**
 * Keeps where to post when the app is installed in a team (in every channel the connector lists for it) or a
 * channel is created, renamed or restored there, and forgets it when the app is removed (from every channel
 * kept for the team) or the channel deleted; other events change nothing. The activity is one Teams signed
 * (verified before this runs): its serviceUrl and tenant are the token's.
 */
export async function onInstallEvent(raw: unknown, verified: VerifiedActivity, deps: InstallEventDeps): Promise<void> {
  const parsed = eventSchema.safeParse(raw);
  const change = parsed.success ? changeOf(parsed.data) : undefined;
  if (!parsed.success || !change) {
    deps.logger.debug({ type: parsed.data?.type }, 'Teams conversation event with nothing for the alert channels');
    return;
  }
  const team = parsed.data.channelData?.team;
  const channels = await channelsOf(change, team?.id, verified.serviceUrl, deps);
  const ids = channels.map((c) => c.id);
  if (!change.add) {
    await Promise.all(ids.map((c) => deps.refs.forget(c)));
    deps.logger.info({ team: team?.name, channels: ids }, 'Teams: no longer posting in these channels (app removed)');
    return;
  }
  const base = { serviceUrl: verified.serviceUrl, tenantId: verified.tenantId };
  const teamPart = team && { teamId: team.id, ...(team.aadGroupId ? { groupId: team.aadGroupId } : {}) };
  const refs: ConversationRef[] = channels.map((c) => ({
    ...base,
    ...teamPart,
    ...(team?.name ? { teamName: team.name } : {}),
    channelId: c.id,
    ...(c.name ? { channelName: c.name } : {}),
  }));
  await Promise.all(refs.map((r) => deps.refs.remember(r)));
  if (change.team && team) await deps.refs.rememberTeam(team.id, ids);
  deps.logger.info(
    { team: team?.name, channels: ids },
    'Teams: the app is in these channels; alerts can be posted there',
  );
}
