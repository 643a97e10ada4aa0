import { z } from 'zod';
import type { AlertmanagerWebhook } from './alertmanager-webhook.js';

/**
 * How far apart two copies of one notification may date the same alert. Alertmanager sets `startsAt` to
 * the time it received an alert that came without one (Grafana, scripts, `amtool alert add`), so HA peers
 * that each received it date it a few milliseconds apart. A genuine re-fire of the same alert (same
 * fingerprint, resolved and firing again) starts at least an evaluation interval and a `group_wait` later.
 */
export const SAME_START_TOLERANCE_MS = 10_000;

const alertSchema = z.object({
  /** The fingerprint, or the sorted label set when Alertmanager (before 0.19) sent none. */
  id: z.string(),
  status: z.enum(['firing', 'resolved']),
  /** ms since the epoch; absent for Alertmanager's zero time or a date that does not parse. */
  startsAt: z.number().optional(),
});

/** What decides whether two notifications of a group say the same thing: nothing a peer words its own way. */
export const notificationSummarySchema = z.object({
  status: z.enum(['firing', 'resolved']),
  truncatedAlerts: z.number(),
  /** Sorted by id. */
  alerts: z.array(alertSchema),
});
export type NotificationSummary = z.infer<typeof notificationSummarySchema>;

/** A timestamp of the webhook in ms; Alertmanager's zero time (`0001-01-01`) and garbage are undefined. */
export function webhookInstant(text: string | undefined): number | undefined {
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) && ms > Date.UTC(2000, 0, 1) ? ms : undefined;
}

/**
 * The notification as the dedupe compares it: its status, how many alerts `max_alerts` left out, and each
 * alert's identity, status and start. Left out on purpose: `externalURL` (each HA peer sends its own),
 * annotations (a peer may hold a newer evaluation's value), and `endsAt` (a peer that resolved an alert by
 * `resolve_timeout` dates the end by its own clock; the alert's status already says it ended).
 */
export function summarizeNotification(webhook: AlertmanagerWebhook): NotificationSummary {
  const alerts = webhook.alerts
    .map((a) => {
      const startsAt = webhookInstant(a.startsAt);
      return {
        id: a.fingerprint ?? JSON.stringify(Object.entries(a.labels).sort(([x], [y]) => x.localeCompare(y))),
        status: a.status,
        ...(startsAt === undefined ? {} : { startsAt }),
      };
    })
    .sort((x, y) => x.id.localeCompare(y.id) || x.status.localeCompare(y.status));
  return { status: webhook.status, truncatedAlerts: webhook.truncatedAlerts, alerts };
}

const startsMatch = (a: number | undefined, b: number | undefined, toleranceMs: number) =>
  a === undefined || b === undefined ? a === b : Math.abs(a - b) <= toleranceMs;

/**
 * Whether `next` is another copy of `earlier` (an HA peer's, or Alertmanager's retry) rather than a
 * re-fire: the same alerts with the same statuses, each starting within `toleranceMs` of its twin, and as
 * many left out. A new alert, a changed status or a later start makes it a notification of its own.
 */
export function isSameNotification(
  earlier: NotificationSummary,
  next: NotificationSummary,
  toleranceMs = SAME_START_TOLERANCE_MS,
): boolean {
  if (earlier.status !== next.status || earlier.truncatedAlerts !== next.truncatedAlerts) return false;
  if (earlier.alerts.length !== next.alerts.length) return false;
  return earlier.alerts.every((a, i) => {
    const b = next.alerts[i];
    return (
      b !== undefined && a.id === b.id && a.status === b.status && startsMatch(a.startsAt, b.startsAt, toleranceMs)
    );
  });
}
