import type { AlertPostHandler } from '../../../alerts/alert-post-flow.js';
import type { Logger } from '../../../core/logging.js';
import type { BotConnector } from '../bot-connector.js';
import type { VerifiedActivity } from '../bot-token.js';
import { mentionsBot } from '../mentions.js';
import { onIncidentMessage } from './alert-post-messages.js';
import { channelOf, type Activity } from '../activity.js';
import type { ConversationRefs } from './conversation-refs.js';
import { onInstallEvent } from './install-events.js';

/**
 * The alerts' part of the Teams activities: takes an activity that is theirs (its work, to be tracked), or
 * returns undefined to leave it to the rest of the front end (commands).
 */
export type ChannelActivities = (
  activity: Activity,
  verified: VerifiedActivity,
  raw: unknown,
) => Promise<void> | undefined;

export interface ChannelActivitiesDeps {
  refs: ConversationRefs;
  /** Lists a team's channels when the app is added to it. */
  connector: Pick<BotConnector, 'teamChannels'>;
  /** `teams.incidentChannels`: the only channels whose messages are read for alert posts. */
  incidentChannels: readonly string[];
  /** The alert flow of Teams; absent (no alerts feature), alert posts are not read. */
  onAlertPost?: AlertPostHandler;
  logger: Logger;
}

/**
 * Installs and channel events (`conversationUpdate`, `installationUpdate`): where the bot may post is kept
 * or forgotten. Messages in an incident channel that do not @mention the bot: read as alert posts. A
 * message that mentions the bot is a command, left to the dispatcher, in an incident channel too.
 */
export function channelActivities(d: ChannelActivitiesDeps): ChannelActivities {
  const incident = new Set(d.incidentChannels);
  const { refs, onAlertPost } = d;
  const teamChannels = (to: { serviceUrl: string; teamId: string }) => d.connector.teamChannels(to);
  const loggerOf = (a: Activity) => d.logger.child({ activity: a.type, conversation: channelOf(a.conversation.id) });
  return (activity, verified, raw) => {
    if (activity.type === 'conversationUpdate' || activity.type === 'installationUpdate')
      return onInstallEvent(raw, verified, { refs, teamChannels, logger: loggerOf(activity) });
    if (activity.type !== 'message' || !onAlertPost || !incident.has(channelOf(activity.conversation.id)))
      return undefined;
    if (mentionsBot(raw)) return undefined;
    return onIncidentMessage(raw, verified, { refs, onAlertPost, logger: loggerOf(activity) });
  };
}
