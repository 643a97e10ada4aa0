import { parseStored } from '../core/stored-json.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { alertKind as defaultAlertKind, type AlertKind } from './alert-kinds.js';
import {
  looksLikeAlertmanagerWebhook,
  parseAlertmanagerWebhook,
  webhookToAlertPost,
  type AlertmanagerWebhook,
} from './alertmanager-webhook.js';
import type { EnvironmentResolver } from './environment-mapping.js';
import type { Config } from '../config/config.js';
import { requestId as defaultRequestId, type Logger } from '../core/logging.js';
import { renderAlertGroupMessage, type AlertGroupLine } from './alert-reply.js';
import { planAlertReplies } from './alert-plan.js';
import type { AlertReplier } from './alert-replier.js';
import { INCIDENT_TTL_MS, type MessageRef } from './cooldown-store.js';
import { DEFAULT_DEDUPE_TTL_MS } from './delivery-dedupe.js';
import type { InFlight } from '../core/feature.js';
import type { ChatPort } from '../core/ports/chat.js';
import type { StateStore } from '../core/ports/state-store.js';
import type { Route } from '../core/feature.js';
import { createLimiter, type Limiter } from './diagnosis-limit.js';
import type { IntakeGate } from '../core/intake.js';

/** Alertmanager bodies are small; 256 KiB holds a group of several hundred alerts. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export interface AlertmanagerRouteDeps {
  /** `ALERTMANAGER_TOKEN`; unset, the route answers 503 and logs why. */
  token?: string;
  config: Config;
  replier: AlertReplier;
  chat: ChatPort;
  store: StateStore;
  resolver: EnvironmentResolver;
  inFlight: InFlight;
  logger: Logger;
  now?: () => number;
  maxBodyBytes?: number;
  path?: string;
  alertKind?: (alertname: string) => AlertKind | undefined;
  requestId?: () => string;
  /**
   * Pauses before trying a notification again when Slack or the state store failed (default 2 s, 10 s,
   * 30 s, 60 s: a Slack or Redis outage of about two minutes loses nothing). Between tries the dedupe
   * claim is released, so Alertmanager's own re-send, here or on another replica, is answered too.
   */
  retryDelaysMs?: readonly number[];
  /**
   * Bounds how many notifications are worked on at once (default 8). The answer never waits for it: the
   * bound keeps the work behind the webhook from crowding out the event loop that answers it.
   */
  limit?: Limiter;
  /** Told of every request as it arrives, so that the work behind the answers waits until they are out. */
  intake?: Pick<IntakeGate, 'arrived'>;
}

/** Alertmanager notifications worked on at once. */
export const DEFAULT_NOTIFICATION_CONCURRENCY = 8;

export const DEFAULT_ALERT_RETRY_DELAYS_MS: readonly number[] = [2000, 10_000, 30_000, 60_000];

/** `done`: answered (or nothing to answer); `retry`: Slack or the state store failed; `interrupted`: a restart. */
type Attempt = 'done' | 'retry' | 'interrupted';

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

const OK_BODY = JSON.stringify({ ok: true });
const OK_HEADERS = { 'content-type': 'application/json', 'content-length': String(OK_BODY.length) };

function send(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  return timingSafeEqual(sha256(m[1] ?? ''), sha256(token));
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A timestamp of the webhook in ms; Alertmanager's zero time (`0001-01-01`) and garbage are undefined. */
function instant(text: string | undefined): number | undefined {
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) && ms > Date.UTC(2000, 0, 1) ? ms : undefined;
}

/** Identifies one notification, so Alertmanager's retries and its HA peers' copies are answered once. */
function notificationKey(w: AlertmanagerWebhook): string {
  const alerts = w.alerts
    .map((a) => [a.fingerprint ?? JSON.stringify(Object.entries(a.labels).sort()), a.status, a.startsAt, a.endsAt])
    .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  return sha256(JSON.stringify([w.groupKey, w.status, alerts])).toString('hex');
}

/**
 * `POST /alertmanager`: Alertmanager's webhook receiver (payload version 4), authorised with
 * `Authorization: Bearer <ALERTMANAGER_TOKEN>`. Answers at once (200, 400 with the reason, 401, 413, 503)
 * and then, in the background, posts one message per alert group in `slack.alertChannel` with the
 * diagnosis in its thread; a resolved notification updates that message and replies in its thread.
 *
 * @example
 * # alertmanager.yml
 * receivers:
 *   - name: session-ttl-bot
 *     webhook_configs:
 *       - url: https://session-ttl-bot.example.com/alertmanager
 *         http_config: { authorization: { credentials_file: /etc/alertmanager/session-ttl-bot-token } }
 */
export function alertmanagerRoute(deps: AlertmanagerRouteDeps): Route {
  const path = deps.path ?? '/alertmanager';
  const maxBody = deps.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const now = deps.now ?? Date.now;
  const kindOf = deps.alertKind ?? defaultAlertKind;
  const newId = deps.requestId ?? defaultRequestId;
  const environments = Object.keys(deps.config.environments);
  const routing = deps.config.slack.alertRouting;
  const limit = deps.limit ?? createLimiter(DEFAULT_NOTIFICATION_CONCURRENCY);

  async function readGroup(key: string, take: boolean): Promise<GroupRecord | undefined> {
    return parseStored(groupSchema, take ? await deps.store.take(key) : await deps.store.get(key));
  }

  /**
   * Answers a notification, trying again after `retryDelaysMs` while Slack or the state store fails.
   * Each try claims the notification's dedupe key and releases it when it could not answer.
   */
  async function deliver(webhook: AlertmanagerWebhook, channel: string, logger: Logger): Promise<void> {
    const delays = deps.retryDelaysMs ?? DEFAULT_ALERT_RETRY_DELAYS_MS;
    for (let attempt = 1; ; attempt++) {
      // Only the try holds a slot; a pause between tries does not.
      const outcome = await limit(() => attemptOnce(webhook, channel, logger)).catch((err: unknown) => {
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
      if (!(await pause(delay, deps.inFlight.interrupted))) {
        logger.warn(
          'a restart interrupted the retries of an Alertmanager notification; its next re-send will be answered',
        );
        return;
      }
    }
  }

  async function attemptOnce(webhook: AlertmanagerWebhook, channel: string, logger: Logger): Promise<Attempt> {
    const post = webhookToAlertPost(webhook);
    const plan = planAlertReplies(post, deps.resolver, kindOf);
    if (!plan.firing.length && !plan.resolved.length && !plan.unmapped) {
      logger.info({ alerts: plan.ignored }, 'Alertmanager notification with no alert I answer; nothing posted');
      return 'done';
    }
    const dedupeKey = `dedupe:alertmanager:${notificationKey(webhook)}`;
    if (!(await deps.store.claim(dedupeKey, String(now()), DEFAULT_DEDUPE_TTL_MS))) {
      logger.info('Alertmanager notification already handled (a retry or an HA peer); not posting again');
      return 'done';
    }
    let outcome: Attempt;
    try {
      outcome = await process(webhook, channel, logger, post, plan);
    } catch (err) {
      await deps.store.delete(dedupeKey).catch(() => undefined);
      throw err;
    }
    // Not answered: the claim goes, so that a re-send of the same notification is answered (here or elsewhere).
    if (outcome !== 'done') await deps.store.delete(dedupeKey).catch(() => undefined);
    return outcome;
  }

  async function process(
    webhook: AlertmanagerWebhook,
    channel: string,
    logger: Logger,
    post: ReturnType<typeof webhookToAlertPost>,
    plan: ReturnType<typeof planAlertReplies>,
  ): Promise<Attempt> {
    const lines: AlertGroupLine[] = deps.resolver.resolvePost(post).map(({ alert, resolution }) => ({
      alertname: alert.alertname,
      status: alert.status,
      ...(resolution.env ? { env: resolution.env } : {}),
      ...(alert.annotations?.summary ? { summary: alert.annotations.summary } : {}),
    }));
    const groupKey = `amgroup:${sha256(webhook.groupKey).toString('hex')}`;
    const externalUrl = webhook.externalURL;
    const starts = webhook.alerts.filter((a) => a.status === 'firing').flatMap((a) => instant(a.startsAt) ?? []);
    const ends = webhook.alerts.flatMap((a) => (a.status === 'resolved' ? (instant(a.endsAt) ?? []) : []));
    const resolvedAt = ends.length ? Math.max(...ends) : now();

    if (webhook.status === 'resolved') {
      // Read, and removed only once answered: a try that fails leaves it for the next one.
      const group = await readGroup(groupKey, false);
      if (!group) {
        logger.info('resolved notification for a group I never posted; nothing to update');
        return 'done';
      }
      const thread: MessageRef = { channel: group.channel, ts: group.ts };
      const message = renderAlertGroupMessage({
        status: 'resolved',
        alerts: lines,
        externalUrl,
        resolvedAfterMs: resolvedAt - group.firedAt,
      });
      await deps.chat.update({ ...thread, message });
      const outcomes = await Promise.all(
        plan.resolved.map((a) => deps.replier.resolved({ ...a, thread, resolvedAt, logger })),
      );
      await deps.store.delete(groupKey);
      logger.info({ outcomes }, 'alert group resolved');
      return 'done';
    }

    const message = renderAlertGroupMessage({ status: 'firing', alerts: lines, externalUrl });
    let group = await readGroup(groupKey, false);
    if (group) {
      await deps.chat.update({ channel: group.channel, ts: group.ts, message });
    } else {
      const posted = await deps.chat.post({ channel, message });
      group = { channel, ts: posted.ts, firedAt: starts.length ? Math.min(...starts) : now() };
      await deps.store.set(groupKey, JSON.stringify(group), INCIDENT_TTL_MS);
      logger.info({ group: { channel, ts: posted.ts } }, 'posted the alert group');
    }
    const thread: MessageRef = { channel: group.channel, ts: group.ts };
    const [firing] = await Promise.all([
      Promise.all(plan.firing.map((a) => deps.replier.firing({ ...a, thread, firedAt: group.firedAt, logger }))),
      ...plan.resolved.map((a) => deps.replier.resolved({ ...a, thread, resolvedAt, logger })),
      ...(plan.unmapped
        ? [deps.replier.askForMapping(thread, { ...plan.unmapped, labelKeys: routing.labelKeys, environments }, logger)]
        : []),
    ]);
    if (firing.includes('interrupted')) return 'interrupted';
    return firing.includes('undelivered') ? 'retry' : 'done';
  }

  return {
    method: 'POST',
    path,
    async handle(req, res) {
      deps.intake?.arrived();
      // Only the refusals need a logger of their own; the answer to a valid body must be cheap (200 at once).
      const refusal = () => deps.logger.child({ req: newId(), path });
      if (!deps.token) {
        req.resume();
        refusal().warn(
          'refused an Alertmanager notification: ALERTMANAGER_TOKEN is not set, so the webhook is disabled',
        );
        return send(res, 503, {
          error: 'the Alertmanager webhook is disabled: ALERTMANAGER_TOKEN is not set on the bot',
        });
      }
      if (!tokenMatches(req.headers.authorization, deps.token)) {
        req.resume();
        const why = req.headers.authorization ? 'a wrong bearer token' : 'no bearer token';
        refusal().warn(`refused an Alertmanager notification with ${why}`);
        return send(
          res,
          401,
          { error: `unauthorized: ${why}; send Authorization: Bearer <ALERTMANAGER_TOKEN>` },
          { 'www-authenticate': 'Bearer' },
        );
      }
      const channel = deps.config.slack.alertChannel;
      if (!channel) {
        req.resume();
        refusal().warn('refused an Alertmanager notification: slack.alertChannel is not set in the config');
        return send(res, 503, {
          error: 'slack.alertChannel is not set in the bot config: there is no channel to post alerts in',
        });
      }
      let text: string;
      try {
        text = await readBody(req, maxBody);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          refusal().warn({ maxBytes: maxBody }, 'refused an Alertmanager notification: body too large');
          return send(res, 413, { error: `body larger than ${maxBody} bytes; lower max_alerts in the webhook_config` });
        }
        throw err;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        const reason = `body is not valid JSON: ${(err as Error).message}`;
        refusal().warn({ reason }, 'refused an Alertmanager notification');
        return send(res, 400, { error: reason });
      }
      // A body that passes the quick test is answered before the full validation, which runs behind the answer.
      const quick = looksLikeAlertmanagerWebhook(body);
      const parsed = quick ? undefined : parseAlertmanagerWebhook(body);
      if (parsed && !parsed.ok) {
        refusal().warn({ reason: parsed.reason }, 'refused an Alertmanager notification');
        return send(res, 400, { error: `not an Alertmanager webhook (version 4) body: ${parsed.reason}` });
      }
      res.writeHead(200, OK_HEADERS);
      res.end(OK_BODY);
      deps.inFlight.track(
        limit(async () => {
          const full = parsed ?? parseAlertmanagerWebhook(body);
          if (!full.ok) throw new Error(`the quick test passed a body the schema refuses: ${full.reason}`);
          return full.value;
        }).then((webhook) => {
          const work = deps.logger.child({ req: newId(), path, groupKey: webhook.groupKey, status: webhook.status });
          return deliver(webhook, channel, work);
        }),
        (err) => deps.logger.error({ err, path }, 'handling an Alertmanager notification failed'),
      );
    },
  };
}
