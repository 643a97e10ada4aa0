import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { InFlight } from '../core/feature.js';
import type { Logger } from '../core/logging.js';
import type { ChatPort } from '../core/ports/chat.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import { parseStored } from '../core/stored-json.js';
import type { AlertKind } from './alert-kinds.js';
import { type AlertPlan, planAlertReplies } from './alert-plan.js';
import type { ParsedAlertPost } from './alert-post.js';
import type { AlertReplier } from './alert-replier.js';
import { type AlertGroupLine, renderAlertGroupMessage } from './alert-reply.js';
import { type AlertmanagerWebhook, webhookToAlertPost } from './alertmanager-webhook.js';
import { INCIDENT_TTL_MS, type MessageRef } from './cooldown-store.js';
import type { Limiter } from './diagnosis-limit.js';
import type { EnvironmentResolver } from './environment-mapping.js';
import { createNotificationClaims, type NotificationClaims } from './notification-claim.js';
import { webhookInstant as instant } from './notification-identity.js';

export const DEFAULT_ALERT_RETRY_DELAYS_MS: readonly number[] = [2000, 10_000, 30_000, 60_000];

export interface AlertmanagerDeliveryDeps {
  config: Config;
  replier: AlertReplier;
  chat: ChatPort;
  /** Group records and the notification claims, shared by the replicas when it is Redis. */
  store: CasStateStore;
  resolver: EnvironmentResolver;
  inFlight: InFlight;
  now: () => number;
  alertKind: (alertname: string) => AlertKind | undefined;
  /** Pauses between tries (see `AlertmanagerRouteDeps.retryDelaysMs`). */
  retryDelaysMs: readonly number[];
  /** Bounds how many notifications are worked on at once. */
  limit: Limiter;
}

/** `done`: answered (or nothing to answer); `retry`: Slack or the state store failed; `interrupted`: a restart. */
type Attempt = 'done' | 'retry' | 'interrupted';

/** One notification being answered, with what every step reads of it. */
interface Notification {
  webhook: AlertmanagerWebhook;
  channel: string;
  logger: Logger;
  post: ParsedAlertPost;
  plan: AlertPlan;
  /** When its resolved alerts ended: the latest end it names, else when it was answered. */
  resolvedAt: number;
}

/** Waits `ms`; false when `signal` aborted first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const groupSchema = z.object({ channel: z.string(), ts: z.string(), firedAt: z.number() });
type GroupRecord = z.infer<typeof groupSchema>;

export const sha256 = (text: string) => createHash('sha256').update(text).digest();

function resolvedAtOf(webhook: AlertmanagerWebhook, now: () => number): number {
  const ends = webhook.alerts.flatMap((a) => (a.status === 'resolved' ? (instant(a.endsAt) ?? []) : []));
  return ends.length ? Math.max(...ends) : now();
}

/**
 * Answers Alertmanager notifications behind the webhook's 200: one message per alert group in the alert
 * channel (kept in the state store under the group's key) with the diagnoses in its thread; a resolved
 * notification updates that message and replies in its thread.
 */
export class AlertmanagerDelivery {
  private readonly claims: NotificationClaims;

  constructor(private readonly deps: AlertmanagerDeliveryDeps) {
    this.claims = createNotificationClaims({ store: deps.store, now: deps.now });
  }

  /**
   * Answers a notification, trying again after `retryDelaysMs` while Slack or the state store fails.
   * Each try claims the notification's dedupe key and releases it when it could not answer.
   */
  async deliver(webhook: AlertmanagerWebhook, channel: string, logger: Logger): Promise<void> {
    const delays = this.deps.retryDelaysMs;
    for (let attempt = 1; ; attempt++) {
      // Only the try holds a slot; a pause between tries does not.
      const outcome = await this.deps
        .limit(() => this.attemptOnce(webhook, channel, logger))
        .catch((err: unknown) => {
          logger.warn(
            { err, attempt },
            'could not answer the Alertmanager notification (Slack or the state store failed)',
          );
          return 'retry' as const;
        });
      if (outcome !== 'retry') return;
      const delay = delays[attempt - 1];
      if (delay === undefined) {
        logger.error(
          { attempts: attempt },
          'gave up on an Alertmanager notification; its next re-send will be answered',
        );
        return;
      }
      logger.info({ attempt, retryInMs: delay }, 'will try the Alertmanager notification again');
      if (!(await pause(delay, this.deps.inFlight.interrupted))) {
        logger.warn(
          'a restart interrupted the retries of an Alertmanager notification; its next re-send will be answered',
        );
        return;
      }
    }
  }

  private async attemptOnce(webhook: AlertmanagerWebhook, channel: string, logger: Logger): Promise<Attempt> {
    const post = webhookToAlertPost(webhook);
    const plan = planAlertReplies(post, this.deps.resolver, this.deps.alertKind);
    if (!plan.firing.length && !plan.resolved.length && !plan.unmapped) {
      logger.info({ alerts: plan.ignored }, 'Alertmanager notification with no alert I answer; nothing posted');
      return 'done';
    }
    const claim = await this.claims.claim(webhook);
    if (!claim.first) {
      logger.info('Alertmanager notification already handled (a retry or an HA peer); not posting again');
      return 'done';
    }
    let outcome: Attempt;
    try {
      outcome = await this.answer({ webhook, channel, logger, post, plan });
    } catch (err) {
      await claim.release().catch(() => undefined);
      throw err;
    }
    // Not answered: the claim goes, so that a re-send of the same notification is answered (here or elsewhere).
    if (outcome !== 'done') await claim.release().catch(() => undefined);
    return outcome;
  }

  private answer(n: Omit<Notification, 'resolvedAt'>): Promise<Attempt> {
    const groupKey = `amgroup:${sha256(n.webhook.groupKey).toString('hex')}`;
    const lines: AlertGroupLine[] = this.deps.resolver.resolvePost(n.post).map(({ alert, resolution }) => ({
      alertname: alert.alertname,
      status: alert.status,
      ...(resolution.env ? { env: resolution.env } : {}),
      ...(alert.annotations?.summary ? { summary: alert.annotations.summary } : {}),
    }));
    const notification = { ...n, resolvedAt: resolvedAtOf(n.webhook, this.deps.now) };
    return n.webhook.status === 'resolved'
      ? this.answerResolved(notification, groupKey, lines)
      : this.answerFiring(notification, groupKey, lines);
  }

  private async readGroup(key: string): Promise<GroupRecord | undefined> {
    return parseStored(groupSchema, await this.deps.store.get(key));
  }

  /** Updates the group's message and replies in its thread; the group's record goes once that is done. */
  private async answerResolved(n: Notification, groupKey: string, lines: AlertGroupLine[]): Promise<Attempt> {
    const { chat, replier, store } = this.deps;
    // Read, and removed only once answered: a try that fails leaves it for the next one.
    const group = await this.readGroup(groupKey);
    if (!group) {
      n.logger.info('resolved notification for a group I never posted; nothing to update');
      return 'done';
    }
    const { resolvedAt } = n;
    const thread: MessageRef = { channel: group.channel, ts: group.ts };
    const message = renderAlertGroupMessage({
      status: 'resolved',
      alerts: lines,
      externalUrl: n.webhook.externalURL,
      resolvedAfterMs: resolvedAt - group.firedAt,
    });
    await chat.update({ ...thread, message });
    const outcomes = await Promise.all(
      n.plan.resolved.map((a) => replier.resolved({ ...a, thread, resolvedAt, logger: n.logger })),
    );
    await store.delete(groupKey);
    n.logger.info({ outcomes }, 'alert group resolved');
    return 'done';
  }

  /** Posts the group's message (or updates it), then diagnoses each firing alert in its thread. */
  private async answerFiring(n: Notification, groupKey: string, lines: AlertGroupLine[]): Promise<Attempt> {
    const { replier, config } = this.deps;
    const { plan, logger } = n;
    const message = renderAlertGroupMessage({ status: 'firing', alerts: lines, externalUrl: n.webhook.externalURL });
    const group = await this.postGroup(n, groupKey, message);
    const thread: MessageRef = { channel: group.channel, ts: group.ts };
    const { resolvedAt } = n;
    const mapping = plan.unmapped && {
      ...plan.unmapped,
      labelKeys: config.slack.alertRouting.labelKeys,
      environments: Object.keys(config.environments),
    };
    const [firing] = await Promise.all([
      Promise.all(plan.firing.map((a) => replier.firing({ ...a, thread, firedAt: group.firedAt, logger }))),
      ...plan.resolved.map((a) => replier.resolved({ ...a, thread, resolvedAt, logger })),
      ...(mapping ? [replier.askForMapping(thread, mapping, logger)] : []),
    ]);
    if (firing.includes('interrupted')) return 'interrupted';
    return firing.includes('undelivered') ? 'retry' : 'done';
  }

  /** The group's message: updated when it was posted before, else posted and recorded. */
  private async postGroup(
    n: Notification,
    groupKey: string,
    message: ReturnType<typeof renderAlertGroupMessage>,
  ): Promise<GroupRecord> {
    const { chat, store, now } = this.deps;
    const known = await this.readGroup(groupKey);
    if (known) {
      await chat.update({ channel: known.channel, ts: known.ts, message });
      return known;
    }
    const starts = n.webhook.alerts.filter((a) => a.status === 'firing').flatMap((a) => instant(a.startsAt) ?? []);
    const posted = await chat.post({ channel: n.channel, message });
    const group = { channel: n.channel, ts: posted.ts, firedAt: starts.length ? Math.min(...starts) : now() };
    await store.set(groupKey, JSON.stringify(group), INCIDENT_TTL_MS);
    n.logger.info({ group: { channel: n.channel, ts: posted.ts } }, 'posted the alert group');
    return group;
  }
}
