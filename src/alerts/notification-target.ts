import type { Config } from '../config/config.js';
import type { Jobs, SubmitJob } from '../core/jobs.js';
import type { Logger } from '../core/logging.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import { alertKind as defaultAlertKind, type AlertKind } from './alert-kinds.js';
import { platformJobKind, type AlertPlatform } from './alert-platform.js';
import type { AlertReplier } from './alert-replier.js';
import { AlertmanagerDelivery } from './alertmanager-delivery.js';
import type { Limiter } from './diagnosis-limit.js';
import type { EnvironmentResolver } from './environment-mapping.js';
import { notificationJob, type NotificationPayload } from './notification-job.js';

/** Where `POST /alertmanager` hands a notification on one chat platform: its alert channel and its job. */
export interface NotificationTarget {
  platform: AlertPlatform['name'];
  /** The config field naming the channel (`slack.alertChannel`), for messages. */
  setting: string;
  channel?: string;
  /** Why the channel cannot take posts yet (see AlertPlatform); undefined when it can. */
  unavailable?(channel: string): Promise<string | undefined>;
  /** Keeps the notification as the platform's job (rejects when the state store did not take it). */
  submit: SubmitJob<NotificationPayload>;
}

export interface NotificationTargetDeps {
  config: Config;
  /** The platform's replier and its key space (claims, group records, cooldowns). */
  replier: AlertReplier;
  store: CasStateStore;
  resolver: EnvironmentResolver;
  jobs: Jobs;
  logger: Logger;
  now: () => number;
  /** Shared by the platforms: notifications worked on at once, whatever the platform. */
  limit: Limiter;
  retryDelaysMs?: readonly number[];
  alertKind?: (alertname: string) => AlertKind | undefined;
}

/**
 * The platform's notification job (`alertmanager-notification`, `alertmanager-notification:teams`) over its
 * own delivery: one message per alert group in its alert channel, the diagnoses in that message's thread.
 */
export function notificationTarget(p: AlertPlatform, d: NotificationTargetDeps): NotificationTarget {
  const delivery = new AlertmanagerDelivery({
    config: d.config,
    replier: d.replier,
    chat: p.chat,
    store: d.store,
    resolver: d.resolver,
    now: d.now,
    alertKind: d.alertKind ?? defaultAlertKind,
  });
  const submit = d.jobs.define(
    notificationJob({
      delivery,
      limit: d.limit,
      logger: p.name === 'slack' ? d.logger : d.logger.child({ platform: p.name }),
      kind: platformJobKind('alertmanager-notification', p),
      ...(d.retryDelaysMs ? { retryDelaysMs: d.retryDelaysMs } : {}),
    }),
  );
  const unavailable = p.unavailable?.bind(p);
  return {
    platform: p.name,
    setting: p.alertChannelSetting,
    ...(p.alertChannel ? { channel: p.alertChannel } : {}),
    ...(unavailable ? { unavailable } : {}),
    submit,
  };
}
