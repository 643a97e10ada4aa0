import type { Dispatcher } from '../../commands/dispatch.js';
import type { TeamsSettings } from '../../config/teams-settings.js';
import type { Feature } from '../../core/feature.js';
import type { IntakeGate } from '../../core/intake.js';
import type { Logger } from '../../core/logging.js';
import { commandText, type Activity } from './activity.js';
import { botConnector } from './bot-connector.js';
import { botTokenVerifier, type VerifiedActivity } from './bot-token.js';
import { teamsCommandContext } from './command-context.js';
import { messagesRoute } from './messages-route.js';
import { openIdKeys } from './openid-keys.js';
import { graphGroupMembership, graphScope, teamsGroups } from './graph-groups.js';
import { outgoingToken } from './outgoing-token.js';

export interface TeamsFrontEndOptions {
  settings: TeamsSettings;
  dispatcher: Dispatcher;
  logger: Logger;
  now?: () => number;
  fetch?: typeof fetch;
  intake?: IntakeGate;
  /** Waits out the connector's Retry-After (default a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Minimum pause between JWKS fetches for an unknown key (default 30 s; tests use 0). */
  jwksCooldownMs?: number;
}

/**
 * The Teams front end (issue 22): `POST /api/messages` with the incoming token verified in front of
 * everything; every typed command runs through the same dispatcher as Slack's, answered with Adaptive
 * Cards through the Bot Connector (buttons come with a later slice).
 */
export function teamsFeature(o: TeamsFrontEndOptions): Feature {
  const s = o.settings;
  const logger = o.logger.child({ component: 'teams' });
  const io = { ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.now ? { now: o.now } : {}) };
  const keys = openIdKeys({
    metadataUrl: s.openIdMetadataUrl,
    ...io,
    ...(o.jwksCooldownMs !== undefined ? { jwksCooldownMs: o.jwksCooldownMs } : {}),
  });
  const verifier = botTokenVerifier({ appId: s.appId, issuer: s.tokenIssuer, tenantId: s.tenantId, keys, ...io });
  const credentials = { loginUrl: s.loginUrl, tenantId: s.tenantId, appId: s.appId, appPassword: s.appPassword, ...io };
  const token = outgoingToken(credentials);
  // Entra ID groups of the access policy: an app-only Graph token of its own (another scope).
  const graphToken = outgoingToken({ ...credentials, scope: graphScope(s.graphUrl) });
  const groups = teamsGroups(graphGroupMembership({ graphUrl: s.graphUrl, token: graphToken, logger, ...io }));
  const connector = botConnector({
    token,
    logger,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
  });

  return {
    name: 'teams',
    register(host) {
      const answer = async (activity: Activity & { id: string }, verified: VerifiedActivity) => {
        const text = commandText(activity.text);
        const ctx = teamsCommandContext({
          activity,
          verified,
          text,
          connector,
          groups,
          logger: logger.child({ conversation: activity.conversation.id }),
          interrupted: host.work.interrupted,
        });
        await o.dispatcher.run(ctx);
      };
      host.route(
        messagesRoute({
          verifier,
          logger,
          ...(o.intake ? { intake: o.intake } : {}),
          onActivity(activity, verified) {
            // Conversation updates, installs and invokes come with the slices that need them.
            if (activity.type !== 'message' || !activity.id) return;
            host.work.track(answer({ ...activity, id: activity.id }, verified), (err) =>
              logger.error({ err }, 'could not answer a Teams message'),
            );
          },
        }),
      );
    },
  };
}
