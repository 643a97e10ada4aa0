import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { alertKind as defaultAlertKind, type AlertKind } from '../../../alerts/alert-kinds.js';
import type { EnvironmentResolver } from '../../../alerts/environment-mapping.js';
import { parseAlertPost, type ParsedAlertPost } from '../../alert-posts/parse-alert-post.js';
import type { Config } from '../../../config/config.js';
import { requestId as defaultRequestId, type Logger } from '../../../core/logging.js';
import { planAlertReplies, slackTsToMs } from '../../../alerts/alert-plan.js';
import type { AlertReplier } from '../../../alerts/alert-replier.js';
import type { DeliveryDedupe } from '../../../alerts/delivery-dedupe.js';
import type { InFlight } from '../../../host/in-flight.js';

export interface AlertListenerDeps {
  config: Config;
  replier: AlertReplier;
  dedupe: DeliveryDedupe;
  resolver: EnvironmentResolver;
  inFlight: InFlight;
  logger: Logger;
  now?: () => number;
  alertKind?: (alertname: string) => AlertKind | undefined;
  requestId?: () => string;
}

type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

/** The fields of a message event this listener reads before handing the event to the alert parser. */
interface MessageFields {
  channel?: unknown;
  subtype?: unknown;
  bot_id?: unknown;
  user?: unknown;
  ts?: unknown;
}

/**
 * The `message` listener for alert posts in `slack.incidentChannels`: posts by other bots and apps
 * (never our own, never a person's) that name a known alert are answered in their thread, once per
 * message across retries and replicas. Bolt has acknowledged the event before this runs; the
 * diagnosis runs in the background (tracked by `inFlight`).
 */
export function createAlertListener(deps: AlertListenerDeps): (args: MessageArgs) => Promise<void> {
  const channels = new Set(deps.config.slack.incidentChannels);
  const kindOf = deps.alertKind ?? defaultAlertKind;
  const now = deps.now ?? Date.now;
  const newId = deps.requestId ?? defaultRequestId;
  const environments = Object.keys(deps.config.environments);
  const routing = deps.config.slack.alertRouting;

  async function answer(post: ParsedAlertPost & { channel: string; ts: string }, eventId: string | undefined, logger: Logger) {
    const plan = planAlertReplies(post, deps.resolver, kindOf);
    if (!plan.firing.length && !plan.resolved.length && !plan.unmapped) {
      logger.debug({ alerts: plan.ignored }, 'alert post with no alert I answer');
      return;
    }
    const verdict = await deps.dedupe.check({ ...(eventId ? { eventId } : {}), channel: post.channel, ts: post.ts });
    if (!verdict.first) {
      logger.info({ duplicateOf: verdict.duplicateOf }, 'alert post already answered; not replying again');
      return;
    }
    const thread = { channel: post.channel, ts: post.threadTs ?? post.ts };
    const postedAt = slackTsToMs(post.ts) ?? now();
    logger.info(
      { firing: plan.firing.map((a) => `${a.kind.alertname}@${a.env}`), resolved: plan.resolved.map((a) => `${a.kind.alertname}@${a.env}`) },
      'alert post',
    );
    await Promise.all([
      ...plan.firing.map((a) => deps.replier.firing({ ...a, thread, firedAt: postedAt, logger })),
      ...plan.resolved.map((a) => deps.replier.resolved({ ...a, thread, resolvedAt: postedAt, logger })),
      ...(plan.unmapped
        ? [deps.replier.askForMapping(thread, { ...plan.unmapped, labelKeys: routing.labelKeys, environments }, logger)]
        : []),
    ]);
  }

  return async ({ message, body, context }) => {
    const m = message as MessageFields;
    if (typeof m.channel !== 'string' || !channels.has(m.channel)) return;
    const logger = deps.logger.child({ req: newId(), channel: m.channel, ts: m.ts, retryNum: context.retryNum });
    // Edits, deletions, joins: not a new alert post.
    if (m.subtype !== undefined && m.subtype !== 'bot_message') return;
    // Bolt's ignoreSelf drops our bot_message posts and those with our user id; a bot_id match is checked here too.
    if ((context.botId && m.bot_id === context.botId) || (context.botUserId && m.user === context.botUserId)) return;
    const post = parseAlertPost(message);
    if (!post || !post.channel || !post.ts) {
      logger.debug('message in an incident channel is not an alert post');
      return;
    }
    if (!post.fromBot) {
      logger.debug("a person's message is not an alert post; not replying");
      return;
    }
    const eventId = typeof (body as { event_id?: unknown }).event_id === 'string' ? (body as { event_id: string }).event_id : undefined;
    const located = { ...post, channel: post.channel, ts: post.ts };
    deps.inFlight.track(answer(located, eventId, logger.child({ event: eventId })), (err) =>
      logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'answering an alert post failed'),
    );
  };
}
