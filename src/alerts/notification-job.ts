import { z } from 'zod';
import type { JobKind } from '../core/jobs.js';
import type { Logger } from '../core/logging.js';
import type { AlertmanagerDelivery } from './alertmanager-delivery.js';
import { parseAlertmanagerWebhook } from './alertmanager-webhook.js';
import type { Limiter } from './diagnosis-limit.js';

/** What the webhook keeps of a notification: the channel to post in and the body (validated fully by the job). */
const payloadSchema = z.object({ channel: z.string().min(1), body: z.unknown() });
export type NotificationPayload = z.infer<typeof payloadSchema>;

/**
 * The job of one Alertmanager notification: validates the body fully (the webhook only ran the quick test)
 * and answers it once per run, within `limit`; Slack or the state store failing asks the queue for a retry.
 * A restart that interrupted it (SIGTERM past the grace period) has said so in the thread: it ends there.
 */
export function notificationJob(deps: {
  delivery: AlertmanagerDelivery;
  limit: Limiter;
  logger: Logger;
  retryDelaysMs?: readonly number[];
  /** Default `alertmanager-notification` (Slack's); another platform's carries its name. */
  kind?: string;
}): JobKind<NotificationPayload> {
  return {
    kind: deps.kind ?? 'alertmanager-notification',
    payload: payloadSchema,
    ...(deps.retryDelaysMs ? { retryDelaysMs: deps.retryDelaysMs } : {}),
    // Within the limit, which starts work behind the intake's answers: the full validation included.
    run: ({ channel, body }, job) =>
      deps.limit(async () => {
        const parsed = parseAlertmanagerWebhook(body);
        if (!parsed.ok) {
          job.logger.error({ reason: parsed.reason }, 'dropped an Alertmanager notification the schema refuses');
          return 'done';
        }
        const webhook = parsed.value;
        const logger = job.logger.child({ groupKey: webhook.groupKey, status: webhook.status });
        const outcome = await deps.delivery.answerOnce(webhook, channel, logger, job);
        if (outcome === 'retry')
          logger.warn('could not answer the Alertmanager notification (the chat platform or the state store failed)');
        return outcome === 'retry' ? 'retry' : 'done';
      }),
  };
}
