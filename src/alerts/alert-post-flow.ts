import type { AlertKind } from './alert-kinds.js';
import type { ParsedAlertPost } from './alert-post.js';
import { planAlertReplies, slackTsToMs } from './alert-plan.js';
import type { AlertReplier, Postpone } from './alert-replier.js';
import type { DeliveryDedupe } from './delivery-dedupe.js';
import type { EnvironmentResolver } from './environment-mapping.js';
import type { Logger } from '../core/logging.js';

/**
 * An alert post read from a chat channel, with where it is. `postedAtMs`: when it was posted, when the
 * platform says so apart from `ts` (Teams' activity timestamp); absent, `ts` is read as a Slack ts.
 */
export type LocatedAlertPost = ParsedAlertPost & {
  channel: string;
  ts: string;
  threadTs?: string;
  postedAtMs?: number;
};

export interface AlertPostFlowDeps {
  environments: readonly string[];
  labelKeys: readonly string[];
  replier: AlertReplier;
  dedupe: DeliveryDedupe;
  resolver: EnvironmentResolver;
  kindOf: (alertname: string) => AlertKind | undefined;
  now: () => number;
  /** Keeps a reply that the platform refused through its retries, to post it later (the outbox); absent, it is lost. */
  postpone?: Postpone;
}

/** Answers one alert post: once per message across retries and replicas, each known alert in its thread. */
export type AlertPostHandler = (
  post: LocatedAlertPost,
  delivery: { eventId?: string; job?: { id: string; attempt: number } },
  logger: Logger,
) => Promise<void>;

/** The job answering an alert, and the key of its reply (the same in every run of the job). */
function jobOf(job: { id: string; attempt: number } | undefined, a: { kind: AlertKind; env: string }) {
  return job ? { job: job.id, key: `${job.id}:${a.kind.alertname}:${a.env}`, rerun: job.attempt > 1 } : {};
}

/** Why a promise was rejected; `reason` is typed `any` by the standard library. */
const reasonOf = (r: PromiseRejectedResult): unknown => r.reason;

export function createAlertPostFlow(deps: AlertPostFlowDeps): AlertPostHandler {
  return async (post, delivery, logger) => {
    const plan = planAlertReplies(post, deps.resolver, deps.kindOf);
    if (!plan.firing.length && !plan.resolved.length && !plan.unmapped) {
      logger.debug({ alerts: plan.ignored }, 'alert post with no alert I answer');
      return;
    }
    const { job } = delivery;
    const verdict = await deps.dedupe.check({
      ...(delivery.eventId ? { eventId: delivery.eventId } : {}),
      channel: post.channel,
      ts: post.ts,
      ...(job ? { owner: job.id } : {}),
    });
    if (!verdict.first) {
      logger.info({ duplicateOf: verdict.duplicateOf }, 'alert post already answered; not replying again');
      return;
    }
    const thread = { channel: post.channel, ts: post.threadTs ?? post.ts };
    const postedAt = post.postedAtMs ?? slackTsToMs(post.ts) ?? deps.now();
    logger.info(
      {
        firing: plan.firing.map((a) => `${a.kind.alertname}@${a.env}`),
        resolved: plan.resolved.map((a) => `${a.kind.alertname}@${a.env}`),
      },
      'alert post',
    );
    const postpone = deps.postpone;
    const extra = postpone ? { postpone } : {};
    const results = await Promise.allSettled([
      ...plan.firing.map((a) =>
        deps.replier.firing({ ...a, thread, firedAt: postedAt, logger, ...extra, ...jobOf(job, a) }),
      ),
      ...plan.resolved.map((a) => deps.replier.resolved({ ...a, thread, resolvedAt: postedAt, logger, ...extra })),
      ...(plan.unmapped
        ? [
            deps.replier.askForMapping(
              thread,
              { ...plan.unmapped, labelKeys: deps.labelKeys, environments: [...deps.environments] },
              logger,
              postpone,
            ),
          ]
        : []),
    ]);
    const failed = results.filter((r) => r.status === 'rejected' || r.value === 'undelivered');
    if (!failed.length) return;
    // Neither posted nor kept for later: the dedupe claim goes, so that a redelivery of the post is answered.
    await deps.dedupe
      .release({ ...(delivery.eventId ? { eventId: delivery.eventId } : {}), channel: post.channel, ts: post.ts })
      .catch((err: unknown) => {
        logger.warn({ err }, 'could not release the dedupe claim of an unanswered alert post');
      });
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [reasonOf(r)] : []));
    logger.error(
      { err: errors[0], failed: failed.length },
      'could not answer the alert post (Slack and the state store failed); a redelivery of it will be answered',
    );
  };
}
