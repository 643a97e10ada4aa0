import type { TeamsSettings } from '../../config/teams-settings.js';
import type { Logger } from '../../core/logging.js';
import { botConnector, type BotConnector } from './bot-connector.js';
import { appCredential, outgoingToken } from './outgoing-token.js';

export interface TeamsConnectorOptions {
  settings: TeamsSettings;
  /** The Teams front end's logger. */
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => number;
  /** Waits out the connector's Retry-After (default a timer). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The Bot Connector client of the bot, with its own outgoing token (MSAL client credentials at TEAMS_LOGIN_URL
 * for TEAMS_BOT_SCOPE): one per process, shared by the replies to commands and the alert posts, so they share one cached token.
 */
export function teamsConnector(o: TeamsConnectorOptions): BotConnector {
  const s = o.settings;
  const token = outgoingToken({
    loginUrl: s.loginUrl,
    tenantId: s.tenantId,
    appId: s.appId,
    ...appCredential(s),
    scope: s.botScope,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  return botConnector({
    token,
    logger: o.logger,
    ...(o.now ? { now: o.now } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
  });
}
