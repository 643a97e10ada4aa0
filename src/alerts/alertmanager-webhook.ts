import { z } from 'zod';
import type { ParsedAlert, ParsedAlertPost } from './alert-post.js';

/** Alertmanager caps a notification with `max_alerts`; beyond this many the body is refused. */
export const MAX_WEBHOOK_ALERTS = 1_000;

const labelSet = z.record(z.string(), z.string({ error: 'expected a string value' }), { error: 'expected object' });
const status = z.enum(['firing', 'resolved'], { error: 'expected "firing" or "resolved"' });
const str = z.string({ error: 'expected string' });

const webhookAlertSchema = z.looseObject({
  status,
  labels: labelSet,
  annotations: labelSet,
  startsAt: str,
  endsAt: str,
  generatorURL: str.optional(),
  /** Added in Alertmanager 0.19. */
  fingerprint: str.optional(),
});

/**
 * The JSON body Alertmanager's `webhook_config` receiver POSTs (payload version "4").
 * Unknown fields are kept (Grafana and newer Alertmanager versions add some).
 * See https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */
export const alertmanagerWebhookSchema = z.looseObject({
  version: z.literal('4', { error: 'expected "4" (Alertmanager webhook payload version 4)' }),
  groupKey: str,
  /** How many alerts `max_alerts` left out; 0 when absent (before Alertmanager 0.22). */
  truncatedAlerts: z.number({ error: 'expected a number' }).int().nonnegative().default(0),
  status,
  receiver: str,
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: str,
  alerts: z
    .array(webhookAlertSchema, { error: 'expected array' })
    .max(MAX_WEBHOOK_ALERTS, `expected at most ${MAX_WEBHOOK_ALERTS} alerts`),
});

export type AlertmanagerWebhook = z.infer<typeof alertmanagerWebhookSchema>;
export type AlertmanagerWebhookAlert = z.infer<typeof webhookAlertSchema>;

export type WebhookParseResult = { ok: true; value: AlertmanagerWebhook } | { ok: false; reason: string };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = body;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Reflect.get(v, key);
  }
  return v;
}

/**
 * Validates an Alertmanager webhook body. On failure `reason` names each bad field's path and what was
 * expected, e.g. `alerts.0.labels: expected object, got string` (at most 5 issues, `; `-separated).
 *
 * @example
 * const r = parseAlertmanagerWebhook(JSON.parse(body));
 * if (!r.ok) return reply(400, r.reason);
 * const post = webhookToAlertPost(r.value);
 */
export function parseAlertmanagerWebhook(body: unknown): WebhookParseResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, reason: `(top level): expected a JSON object, got ${typeName(body)}` };
  }
  const parsed = alertmanagerWebhookSchema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    if (issue.code !== 'invalid_type') return `${path}: ${issue.message}`;
    const got = valueAt(body, issue.path);
    return got === undefined
      ? `${path}: missing (${issue.message})`
      : `${path}: ${issue.message}, got ${typeName(got)}`;
  });
  const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
  return { ok: false, reason: issues.join('; ') + more };
}

/**
 * The webhook's alerts in the same shape as a parsed Slack post. Alerts without an `alertname`
 * label (only possible for alerts pushed by hand to Alertmanager's API) take the group's, or are left out.
 */
export function webhookToAlertPost(webhook: AlertmanagerWebhook): ParsedAlertPost {
  const alerts: ParsedAlert[] = [];
  for (const a of webhook.alerts) {
    const alertname = a.labels.alertname ?? webhook.commonLabels.alertname ?? webhook.groupLabels.alertname;
    if (!alertname) continue;
    alerts.push({
      alertname,
      status: a.status,
      labels: { alertname, ...a.labels },
      ...(Object.keys(a.annotations).length ? { annotations: a.annotations } : {}),
    });
  }
  return {
    alerts,
    status: webhook.status,
    firingCount: webhook.alerts.filter((a) => a.status === 'firing').length,
    groupLabels: webhook.groupLabels,
    groupValues: [],
    origin: 'alertmanager',
    fromBot: true,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLabelSet = (v: unknown): boolean => isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
const isStatus = (v: unknown): boolean => v === 'firing' || v === 'resolved';
const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

/**
 * A quick, allocation-free test that `body` is a valid webhook body: true only when
 * `parseAlertmanagerWebhook` would accept it (false does not mean it would refuse it: ask it for the
 * reason). Lets the webhook answer 200 before the full validation, which then runs behind the answer.
 */
export function looksLikeAlertmanagerWebhook(body: unknown): boolean {
  if (!isRecord(body)) return false;
  const b = body;
  if (
    b.version !== '4' ||
    typeof b.groupKey !== 'string' ||
    typeof b.receiver !== 'string' ||
    typeof b.externalURL !== 'string'
  )
    return false;
  if (
    !isStatus(b.status) ||
    !isLabelSet(b.groupLabels) ||
    !isLabelSet(b.commonLabels) ||
    !isLabelSet(b.commonAnnotations)
  )
    return false;
  const t = b.truncatedAlerts;
  if (t !== undefined && !(typeof t === 'number' && Number.isInteger(t) && t >= 0)) return false;
  if (!Array.isArray(b.alerts) || b.alerts.length > MAX_WEBHOOK_ALERTS) return false;
  const alerts: readonly unknown[] = b.alerts;
  for (const a of alerts) {
    if (!isRecord(a) || !isStatus(a.status) || !isLabelSet(a.labels) || !isLabelSet(a.annotations)) return false;
    if (
      typeof a.startsAt !== 'string' ||
      typeof a.endsAt !== 'string' ||
      !optionalString(a.generatorURL) ||
      !optionalString(a.fingerprint)
    )
      return false;
  }
  return true;
}
