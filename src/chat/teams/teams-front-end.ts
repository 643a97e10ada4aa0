import type { Dispatcher } from '../../commands/dispatch.js';
import type { FixCommands } from '../../commands/fix/index.js';
import { memoryStateStore } from '../../adapters/state/memory-state-store.js';
import type { StateStore } from '../../core/ports/state-store.js';
import type { TeamsSettings } from '../../config/teams-settings.js';
import type { Feature } from '../../core/feature.js';
import type { IntakeGate } from '../../core/intake.js';
import type { Logger } from '../../core/logging.js';
import { commandText, type Activity } from './activity.js';
import type { BotConnector } from './bot-connector.js';
import { botTokenVerifier, type VerifiedActivity } from './bot-token.js';
import { CARD_ACTION_INVOKE } from './card-action.js';
import { cardMemory } from './card-memory.js';
import { answerCardClick, type CardClickDeps } from './card-clicks.js';
import { teamsCommandContext } from './command-context.js';
import { addressedToBot } from './mentions.js';
import { messagesRoute } from './messages-route.js';
import { openIdKeys } from './openid-keys.js';
import { graphGroupMembership, graphScope, teamsGroups } from './graph-groups.js';
import { graphGroupMembers } from './graph-members.js';
import { memberMris } from './member-mris.js';
import { appCredential, outgoingToken } from './outgoing-token.js';
import type { ChannelActivities } from './alerts/channel-activities.js';
import { teamsConnector } from './teams-connector.js';

export interface TeamsFrontEndOptions {
  settings: TeamsSettings;
  dispatcher: Dispatcher;
  logger: Logger;
  now?: () => number;
  fetch?: typeof fetch;
  intake?: IntakeGate;
  /** Waits out the Bot Connector's and Microsoft Graph's Retry-After (default a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Minimum pause between JWKS fetches for an unknown key (default 30 s; tests use 0). */
  jwksCooldownMs?: number;
  /** The fix use cases the fix, approval and revert buttons run (absent: no remediation). */
  fix?: FixCommands;
  /** Where cards with per-person buttons and slow forms are kept between invokes (default in memory). */
  store?: StateStore;
  /** How long a click's invoke waits for its work before answering (default 3 s; Teams allows about 5). */
  clickDeadlineMs?: number;
  /** The bot's connector client, when the alerts post with it too (default: one of the front end's own). */
  connector?: BotConnector;
  /** Installs, channel events and alert posts in the incident channels (the alerts' part); absent, ignored. */
  channelActivities?: ChannelActivities;
}

/**
 * The Teams front end (issue 22): `POST /api/messages` with the incoming token verified in front of
 * everything; every typed command runs through the same dispatcher as Slack's, answered with Adaptive
 * Cards through the Bot Connector; buttons are Action.Execute, and their `adaptiveCard/action` invokes run
 * the same use cases as Slack's buttons (`card-clicks.ts`).
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
  const credentials = { loginUrl: s.loginUrl, tenantId: s.tenantId, appId: s.appId, ...appCredential(s), ...io };
  // Entra ID groups (the policy's checks, approval cards' members): an app-only Graph token of its own scope.
  const graphToken = outgoingToken({ ...credentials, scope: graphScope(s.graphUrl) });
  const graph = { graphUrl: s.graphUrl, token: graphToken, logger, ...io, ...(o.sleep ? { sleep: o.sleep } : {}) };
  const groups = teamsGroups(graphGroupMembership(graph));
  const connector = o.connector ?? teamsConnector({ ...o, logger });
  const store = o.store ? { store: o.store } : {};
  const members = memberMris({ connector, groupMembers: graphGroupMembers(graph), ...store, logger, ...io });

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
          members,
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
          onInvoke: invokeAnswerer(o, { connector, groups, members, logger, work: host.work }),
          onActivity(activity, verified, raw) {
            members.learn(activity.from);
            const alerts = o.channelActivities?.(activity, verified, raw);
            if (alerts) return host.work.track(alerts, (err) => logger.error({ err }, 'a Teams channel event failed'));
            if (activity.type !== 'message' || !activity.id) return;
            if (!addressedToBot(activity, raw)) {
              logger.debug({ conversation: activity.conversation.id }, 'a channel message not addressed to the bot');
              return;
            }
            host.work.track(answer({ ...activity, id: activity.id }, verified), (err) =>
              logger.error({ err }, 'could not answer a Teams message'),
            );
          },
        }),
      );
    },
  };
}

/**
 * Answers invokes: `adaptiveCard/action` (card clicks and refreshes); others are not implemented (501). Like
 * every verified activity, an invoke names its sender's MRI beside their object id: kept for cards' refresh.
 */
function invokeAnswerer(
  o: TeamsFrontEndOptions,
  io: Pick<CardClickDeps, 'connector' | 'groups' | 'members' | 'logger' | 'work'>,
) {
  const clicks: CardClickDeps = {
    ...io,
    dispatcher: o.dispatcher,
    ...(o.fix ? { fix: o.fix } : {}),
    memory: cardMemory(o.store ?? memoryStateStore()),
    deadlineMs: o.clickDeadlineMs ?? 3000,
  };
  return async (activity: Activity, verified: VerifiedActivity) => {
    io.members.learn(activity.from);
    return activity.name === CARD_ACTION_INVOKE
      ? answerCardClick(clicks, activity, verified, io.work.interrupted)
      : { status: 501 };
  };
}
