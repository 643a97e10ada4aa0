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
    v = (v as Record<PropertyKey, unknown>)[key];
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
    return got === undefined ? `${path}: missing (${issue.message})` : `${path}: ${issue.message}, got ${typeName(got)}`;
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
