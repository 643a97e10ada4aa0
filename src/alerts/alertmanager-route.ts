import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../core/feature.js';
import { readRawBody } from '../core/http-body.js';
import type { IntakeGate } from '../core/intake.js';
import { StateStoreError } from '../core/ports/state-store.js';
import { requestId as defaultRequestId, type Logger } from '../core/logging.js';
import { sha256 } from './alertmanager-delivery.js';
import { looksLikeAlertmanagerWebhook, parseAlertmanagerWebhook } from './alertmanager-webhook.js';
import type { NotificationTarget } from './notification-target.js';

/** Alertmanager bodies are small; 256 KiB holds a group of several hundred alerts. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export interface AlertmanagerRouteDeps {
  /** `ALERTMANAGER_TOKEN`; unset, the route answers 503 and logs why. */
  token?: string;
  /**
   * The chat platforms' alert channels and their jobs (see notificationTarget): a notification is kept as a
   * job for each platform whose channel is set and can take posts. A job that cannot post (the chat platform
   * or the state store failed) is tried again after its pauses, its dedupe claim released between tries, so
   * Alertmanager's own re-send, here or on another replica, is answered too.
   */
  targets: readonly NotificationTarget[];
  logger: Logger;
  maxBodyBytes?: number;
  path?: string;
  requestId?: () => string;
  /** Told of every request as it arrives, so that the work behind the answers waits until they are out. */
  intake?: Pick<IntakeGate, 'arrived'>;
}

/** Alertmanager notifications worked on at once. */
export const DEFAULT_NOTIFICATION_CONCURRENCY = 8;

const OK_BODY = JSON.stringify({ ok: true });
const OK_HEADERS = { 'content-type': 'application/json', 'content-length': String(OK_BODY.length) };

/** An answer other than 200: the status, the JSON body and any extra headers. */
interface Refusal {
  status: number;
  error: string;
  headers?: Record<string, string>;
  /** The log line, and its fields. */
  log: string;
  fields?: Record<string, unknown>;
}

function send(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  return timingSafeEqual(sha256(m[1] ?? ''), sha256(token));
}

/** The body as text; undefined once it grew past `max` bytes (the rest is read and dropped). */
async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return (await readRawBody(req, max))?.toString('utf8');
}

/** No platform names an alert channel: nothing could be posted anywhere. */
function noChannel(targets: readonly NotificationTarget[]): Refusal {
  const settings = targets.map((t) => t.setting);
  const unset = `${settings.join(' and ')} ${settings.length > 1 ? 'are' : 'is'} not set`;
  return {
    status: 503,
    error: `${unset} in the bot config: there is no channel to post alerts in`,
    log: `refused an Alertmanager notification: ${unset} in the config`,
  };
}

function refusalBeforeBody(deps: AlertmanagerRouteDeps, req: IncomingMessage): Refusal | undefined {
  if (!deps.token) {
    return {
      status: 503,
      error: 'the Alertmanager webhook is disabled: ALERTMANAGER_TOKEN is not set on the bot',
      log: 'refused an Alertmanager notification: ALERTMANAGER_TOKEN is not set, so the webhook is disabled',
    };
  }
  if (!tokenMatches(req.headers.authorization, deps.token)) {
    const why = req.headers.authorization ? 'a wrong bearer token' : 'no bearer token';
    return {
      status: 401,
      error: `unauthorized: ${why}; send Authorization: Bearer <ALERTMANAGER_TOKEN>`,
      headers: { 'www-authenticate': 'Bearer' },
      log: `refused an Alertmanager notification with ${why}`,
    };
  }
  return undefined;
}

/** What the route makes of a body: a refusal, or JSON to answer (checked fully now, or in its job). */
type BodyVerdict = { refusal: Refusal } | { body: unknown };

async function judgeBody(req: IncomingMessage, maxBody: number): Promise<BodyVerdict> {
  const text = await readBody(req, maxBody);
  if (text === undefined) {
    return {
      refusal: {
        status: 413,
        error: `body larger than ${maxBody} bytes; lower max_alerts in the webhook_config`,
        log: 'refused an Alertmanager notification: body too large',
        fields: { maxBytes: maxBody },
      },
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    const reason = `body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
    return { refusal: { status: 400, error: reason, log: 'refused an Alertmanager notification', fields: { reason } } };
  }
  // A body that passes the quick test is answered before the full validation, which runs behind the answer.
  const parsed = looksLikeAlertmanagerWebhook(body) ? undefined : parseAlertmanagerWebhook(body);
  if (parsed && !parsed.ok) {
    const error = `not an Alertmanager webhook (version 4) body: ${parsed.reason}`;
    const fields = { reason: parsed.reason };
    return { refusal: { status: 400, error, log: 'refused an Alertmanager notification', fields } };
  }
  return { body };
}

/** The state store did not take the notification: 503, so Alertmanager sends it again. */
function notKept(err: unknown): Refusal {
  const why = err instanceof StateStoreError ? err.message : 'the state store failed';
  return {
    status: 503,
    error: `the notification could not be kept to answer it: ${why} Alertmanager will send it again.`,
    log: 'refused an Alertmanager notification: the state store did not take it',
    fields: { err },
  };
}

/**
 * Keeps the notification as a job of each target whose channel can take posts; a target that cannot yet
 * (the Teams app not installed in the channel's team) is skipped and said in the log. A refusal when none
 * could take it (503, with each one's reason), or when the state store did not keep it (503).
 */
async function handOver(
  targets: readonly NotificationTarget[],
  body: unknown,
  logger: Logger,
): Promise<Refusal | undefined> {
  const skipped: string[] = [];
  let kept = 0;
  for (const t of targets) {
    if (!t.channel) continue;
    try {
      const why = await t.unavailable?.(t.channel);
      if (why) {
        skipped.push(why);
        logger.warn({ platform: t.platform, channel: t.channel }, `not posting the Alertmanager notification: ${why}`);
        continue;
      }
      await t.submit({ channel: t.channel, body });
      kept++;
    } catch (err) {
      return notKept(err);
    }
  }
  if (kept) return undefined;
  return {
    status: 503,
    error: skipped.join('; '),
    log: 'refused an Alertmanager notification: no alert channel can take it',
  };
}

/**
 * `POST /alertmanager`: Alertmanager's webhook receiver (payload version 4), authorised with
 * `Authorization: Bearer <ALERTMANAGER_TOKEN>`. Keeps the notification as a job in the state store for each
 * chat platform with an alert channel (`slack.alertChannel`, `teams.alertChannel`), then answers (200; 400
 * with the reason, 401, 413; 503 when there is no alert channel, none that can take posts, or the state store
 * did not take it, so Alertmanager retries); each job posts one message per alert group in its channel with
 * the diagnosis in its thread, and a resolved notification updates that message and replies in its thread.
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
  const newId = deps.requestId ?? defaultRequestId;
  const configured = deps.targets.some((t) => t.channel !== undefined);
  // Only the refusals need a logger of their own; the answer to a valid body must be cheap.
  const refuse = (res: ServerResponse, r: Refusal) => {
    const logger = deps.logger.child({ req: newId(), path });
    if (r.fields) logger.warn(r.fields, r.log);
    else logger.warn(r.log);
    send(res, r.status, { error: r.error }, r.headers);
  };

  return {
    method: 'POST',
    path,
    async handle(req, res) {
      deps.intake?.arrived();
      const early = refusalBeforeBody(deps, req) ?? (configured ? undefined : noChannel(deps.targets));
      if (early) {
        req.resume();
        return refuse(res, early);
      }
      const verdict = await judgeBody(req, maxBody);
      if ('refusal' in verdict) return refuse(res, verdict.refusal);
      const refusal = await handOver(deps.targets, verdict.body, deps.logger.child({ path }));
      if (refusal) return refuse(res, refusal);
      res.writeHead(200, OK_HEADERS);
      res.end(OK_BODY);
    },
  };
}
