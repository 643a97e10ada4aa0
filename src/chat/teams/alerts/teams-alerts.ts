import type { AlertPlatform } from '../../../alerts/alert-platform.js';
import { platformScope } from '../../../alerts/alert-platform.js';
import type { AlertPostHandler } from '../../../alerts/alert-post-flow.js';
import type { TeamsChatConfig } from '../../../config/teams.js';
import type { Logger } from '../../../core/logging.js';
import type { CasStateStore } from '../../../core/ports/cas-state-store.js';
import { scopedStateStore } from '../../../core/scoped-state-store.js';
import type { BotConnector } from '../bot-connector.js';
import { TEAMS_INVOCATION } from '../command-context.js';
import { channelActivities, type ChannelActivities } from './channel-activities.js';
import { conversationRefs } from './conversation-refs.js';
import { teamsChat } from './teams-chat.js';

export interface TeamsAlertsDeps {
  /** The `teams` section of the config: the alert channel and the incident channels. */
  config: TeamsChatConfig;
  connector: BotConnector;
  /** The alerts' state store (the references and keyed posts go in its Teams key space). */
  stateStore: CasStateStore;
  /** TEAMS_TENANT_ID and TEAMS_WEB_URL, for deep links. */
  tenantId: string;
  webUrl: string;
  logger: Logger;
}

export interface TeamsAlerts {
  /** Teams as a platform of the alerts feature: its chat port, its alert channel, whether it is installed there. */
  platform: AlertPlatform;
  /** The front end's part for the alerts: installs and channel events, and alert posts in the incident channels. */
  activities(onAlertPost: AlertPostHandler | undefined): ChannelActivities;
}

/** Said when `teams.alertChannel` has no reference yet: what to do about it. */
function notInstalledYet(channel: string): string {
  return (
    `the session-ttl app is not installed in the team of Teams channel ${channel} (teams.alertChannel), ` +
    'or the bot has not heard from that team since: add the app to the team (Manage team, Apps); ' +
    "Alertmanager's next notification is then posted there"
  );
}

/** Teams alerts (issue 22): where to post, how, and what the front end hands over. */
export function teamsAlerts(d: TeamsAlertsDeps): TeamsAlerts {
  const store = scopedStateStore(d.stateStore, platformScope({ name: 'teams' }));
  const refs = conversationRefs(store);
  const platform: AlertPlatform = {
    name: 'teams',
    chat: teamsChat({ connector: d.connector, refs, store, tenantId: d.tenantId, webUrl: d.webUrl }),
    ...(d.config.alertChannel ? { alertChannel: d.config.alertChannel } : {}),
    alertChannelSetting: 'teams.alertChannel',
    unavailable: async (channel) => ((await refs.get(channel)) ? undefined : notInstalledYet(channel)),
    invocation: TEAMS_INVOCATION,
  };
  const logger = d.logger.child({ component: 'teams-alerts' });
  return {
    platform,
    activities: (onAlertPost) =>
      channelActivities({
        refs,
        connector: d.connector,
        incidentChannels: d.config.incidentChannels,
        ...(onAlertPost ? { onAlertPost } : {}),
        logger,
      }),
  };
}
