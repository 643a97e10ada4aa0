import type { AlertKind } from './alert-kinds.js';
import type { ParsedAlertPost } from './alert-post.js';
import { planAlertReplies, slackTsToMs } from './alert-plan.js';
import type { AlertReplier } from './alert-replier.js';
import type { DeliveryDedupe } from './delivery-dedupe.js';
import type { EnvironmentResolver } from './environment-mapping.js';
import type { Logger } from '../core/logging.js';

/** An alert post read from a chat channel, with where it is and how the platform identified the delivery. */
export type LocatedAlertPost = ParsedAlertPost & { channel: string; ts: string; threadTs?: string };

export interface AlertPostFlowDeps {
  environments: readonly string[];
  labelKeys: readonly string[];
  replier: AlertReplier;
  dedupe: DeliveryDedupe;
  resolver: EnvironmentResolver;
  kindOf: (alertname: string) => AlertKind | undefined;
  now: () => number;
}

/** Answers one alert post: once per message across retries and replicas, each known alert in its thread. */
export type AlertPostHandler = (post: LocatedAlertPost, delivery: { eventId?: string }, logger: Logger) => Promise<void>;

export function createAlertPostFlow(deps: AlertPostFlowDeps): AlertPostHandler {
  return async (post, delivery, logger) => {
    const plan = planAlertReplies(post, deps.resolver, deps.kindOf);
    if (!plan.firing.length && !plan.resolved.length && !plan.unmapped) {
      logger.debug({ alerts: plan.ignored }, 'alert post with no alert I answer');
      return;
    }
    const verdict = await deps.dedupe.check({ ...(delivery.eventId ? { eventId: delivery.eventId } : {}), channel: post.channel, ts: post.ts });
    if (!verdict.first) {
      logger.info({ duplicateOf: verdict.duplicateOf }, 'alert post already answered; not replying again');
      return;
    }
    const thread = { channel: post.channel, ts: post.threadTs ?? post.ts };
    const postedAt = slackTsToMs(post.ts) ?? deps.now();
    logger.info(
      { firing: plan.firing.map((a) => `${a.kind.alertname}@${a.env}`), resolved: plan.resolved.map((a) => `${a.kind.alertname}@${a.env}`) },
      'alert post',
    );
    await Promise.all([
      ...plan.firing.map((a) => deps.replier.firing({ ...a, thread, firedAt: postedAt, logger })),
      ...plan.resolved.map((a) => deps.replier.resolved({ ...a, thread, resolvedAt: postedAt, logger })),
      ...(plan.unmapped
        ? [deps.replier.askForMapping(thread, { ...plan.unmapped, labelKeys: deps.labelKeys, environments: [...deps.environments] }, logger)]
        : []),
    ]);
  };
}
