import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config/config.js';
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
import type { EnvironmentResolver } from './environment-mapping.js';
import { createNotificationClaims, type NotificationClaims } from './notification-claim.js';
import { webhookInstant as instant } from './notification-identity.js';
import { findEarlierPost, onceForJob, type OnceForJob } from '../core/job-replies.js';

export const DEFAULT_ALERT_RETRY_DELAYS_MS: readonly number[] = [2000, 10_000, 30_000, 60_000];

export interface AlertmanagerDeliveryDeps {
  config: Config;
  replier: AlertReplier;
  chat: ChatPort;
  /** Group records and the notification claims, shared by the replicas when it is Redis. */
  store: CasStateStore;
  resolver: EnvironmentResolver;
  now: () => number;
  alertKind: (alertname: string) => AlertKind | undefined;
}

/** `done`: answered (or nothing to answer); `retry`: Slack or the state store failed; `interrupted`: a restart. */
export type Attempt = 'done' | 'retry' | 'interrupted';

/** One notification being answered, with what every step reads of it. */
interface Notification {
  webhook: AlertmanagerWebhook;
  /** The job that carries it: the same on a replica that runs it again after a crash. */
  job: string;
  /** A later run of the job (after a crash or a failed try): an earlier run may have posted without recording it. */
  rerun: boolean;
  channel: string;
  logger: Logger;
  post: ParsedAlertPost;
  plan: AlertPlan;
  /** When its resolved alerts ended: the latest end it names, else when it was answered. */
  resolvedAt: number;
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
  private readonly once: OnceForJob;

  constructor(private readonly deps: AlertmanagerDeliveryDeps) {
    this.claims = createNotificationClaims({ store: deps.store, now: deps.now });
    this.once = onceForJob(deps.store);
  }

  /**
   * One try at a notification, run by its job (again after a crash, on another replica, with the same job
   * id): claims its dedupe key under the job id, and releases it when it could not answer.
   */
  async answerOnce(
    webhook: AlertmanagerWebhook,
    channel: string,
    logger: Logger,
    run: { id: string; attempt: number },
  ): Promise<Attempt> {
    const job = run.id;
    const post = webhookToAlertPost(webhook);
    const plan = planAlertReplies(post, this.deps.resolver, this.deps.alertKind);
    if (!plan.firing.length && !plan.resolved.length && !plan.unmapped) {
      logger.info({ alerts: plan.ignored }, 'Alertmanager notification with no alert I answer; nothing posted');
      return 'done';
    }
    const claim = await this.claims.claim(webhook, job);
    if (!claim.first) {
      logger.info('Alertmanager notification already handled (a retry or an HA peer); not posting again');
      return 'done';
    }
    let outcome: Attempt;
    try {
      outcome = await this.answer({ webhook, job, rerun: run.attempt > 1, channel, logger, post, plan });
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
      labelKeys: config.alerts.routing.labelKeys,
      environments: Object.keys(config.environments),
    };
    const { job, webhook } = n;
    const at = { thread, firedAt: group.firedAt, logger };
    const reply = (what: string) => ({ job, what, logger });
    const [firing] = await Promise.all([
      Promise.all(
        plan.firing.map((a) =>
          this.once(
            reply(`firing:${a.kind.alertname}:${a.env}`),
            () => replier.firing({ ...a, job, key: `${job}:${a.kind.alertname}:${a.env}`, rerun: n.rerun, ...at }),
            (o) => o !== 'undelivered' && o !== 'interrupted',
            'diagnosed' as const,
          ),
        ),
      ),
      ...plan.resolved.map((a) =>
        this.once(
          reply(`resolved:${a.kind.alertname}:${a.env}`),
          () => replier.resolved({ ...a, thread, resolvedAt, logger }),
          () => true,
          'resolved' as const,
        ),
      ),
      ...(mapping
        ? [
            this.once(
              reply(`mapping:${webhook.groupKey}`),
              () => replier.askForMapping(thread, mapping, logger),
              () => true,
              undefined,
            ),
          ]
        : []),
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
    // The same key in every run of the job: a run after a crash finds what the earlier one posted unrecorded.
    const key = `${n.job}:group`;
    const found = n.rerun ? await findEarlierPost(chat, { channel: n.channel, key }, n.logger) : undefined;
    if (found) n.logger.warn({ ts: found.ts }, 'an earlier run of this job posted the alert group; recording it');
    const posted = found ?? (await chat.post({ channel: n.channel, message, key }));
    const group = { channel: n.channel, ts: posted.ts, firedAt: starts.length ? Math.min(...starts) : now() };
    await store.set(groupKey, JSON.stringify(group), INCIDENT_TTL_MS);
    n.logger.info({ group: { channel: n.channel, ts: posted.ts } }, 'posted the alert group');
    return group;
  }
}
