import type { Dispatcher } from '../../commands/dispatch.js';
import { notice } from '../../commands/replies.js';
import type { TeamsSettings } from '../../config/teams-settings.js';
import type { Feature } from '../../core/feature.js';
import type { IntakeGate } from '../../core/intake.js';
import type { Logger } from '../../core/logging.js';
import { clip, t } from '../../core/message.js';
import { commandText, type Activity } from './activity.js';
import { botConnector } from './bot-connector.js';
import { botTokenVerifier, type VerifiedActivity } from './bot-token.js';
import { TEAMS_INVOCATION, teamsCommandContext } from './command-context.js';
import { messagesRoute } from './messages-route.js';
import { openIdKeys } from './openid-keys.js';
import { outgoingToken } from './outgoing-token.js';

/** The commands Teams answers in this slice; the others are told they are not in Teams yet. */
const TEAMS_COMMANDS = new Set(['', 'help']);

export interface TeamsFrontEndOptions {
  settings: TeamsSettings;
  dispatcher: Dispatcher;
  logger: Logger;
  now?: () => number;
  fetch?: typeof fetch;
  intake?: IntakeGate;
  /** Minimum pause between JWKS fetches for an unknown key (default 30 s; tests use 0). */
  jwksCooldownMs?: number;
}

const notYetInTeams = (word: string) =>
  notice('caution', [
    t(clip(word, 40), { code: true }),
    t(' is not available in Teams yet; for now Teams answers '),
    t(`${TEAMS_INVOCATION} help`, { code: true }),
    t('. Use the Slack app for the other commands.'),
  ]);

/**
 * The Teams front end (issue 22, first slice): `POST /api/messages` with the incoming token verified in
 * front of everything, and `help` answered as an Adaptive Card through the Bot Connector.
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
  const token = outgoingToken({
    loginUrl: s.loginUrl,
    tenantId: s.tenantId,
    appId: s.appId,
    appPassword: s.appPassword,
    ...io,
  });
  const connector = botConnector({ token, ...(o.fetch ? { fetch: o.fetch } : {}) });

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
          logger: logger.child({ conversation: activity.conversation.id }),
          interrupted: host.work.interrupted,
        });
        const word = text.split(/\s+/)[0]?.toLowerCase() ?? '';
        if (TEAMS_COMMANDS.has(word)) await o.dispatcher.run(ctx);
        else await ctx.reply(notYetInTeams(word));
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
