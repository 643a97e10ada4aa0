/** Whether an alert (or a whole notification) is firing or resolved, as Alertmanager says it. */
export type AlertStatus = 'firing' | 'resolved';

/**
 * One alert found in a post or a webhook.
 *
 * `labels.alertname` is always set (to `alertname`), even when the post only showed the name in
 * its title, so label-based routing can treat every alert alike.
 */
export interface ParsedAlert {
  alertname: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * What an alert notification (a Slack post or an Alertmanager webhook) says.
 *
 * @example
 * // Slack post titled "[FIRING:1] SessionTTLViolations (info sessions langgraph-agent prod)":
 * { origin: 'slack', fromBot: true, status: 'firing', firingCount: 1,
 *   alerts: [{ alertname: 'SessionTTLViolations', status: 'firing', labels: { alertname: 'SessionTTLViolations' } }],
 *   groupLabels: { alertname: 'SessionTTLViolations' },
 *   groupValues: ['info', 'sessions', 'langgraph-agent', 'prod'], ts: '1718000000.000100', channel: 'C0INCIDENT' }
 */
export interface ParsedAlertPost {
  /** The alerts the notification shows (possibly fewer than `firingCount` when a template lists none). */
  alerts: ParsedAlert[];
  /** The group's status: `firing` while any alert of the group fires. */
  status: AlertStatus;
  /** Number of firing alerts as the notification states it (`[FIRING:2]`, or counted in a webhook). */
  firingCount?: number;
  /**
   * Webhook: Alertmanager's `groupLabels`. Slack post: the labels every parsed alert shares with the
   * same value (a post does not say which labels the group was formed by).
   */
  groupLabels: Record<string, string>;
  /**
   * Label values printed without their names, as in the default Slack title
   * `[FIRING:1] SessionTTLViolations (info sessions langgraph-agent prod)` -> `['info', 'sessions', 'langgraph-agent', 'prod']`
   * (the alert name itself is left out). Empty when the notification names its labels.
   */
  groupValues: string[];
  /** `slack` or `teams` for a parsed chat message, `alertmanager` for a webhook body. */
  origin: 'slack' | 'teams' | 'alertmanager';
  /**
   * Slack: the message was posted by a bot or an app (incoming webhook, bot token), not by a person.
   * A person pasting or quoting an alert still parses; whether to act on it is the caller's decision.
   * Always true for a webhook body.
   */
  fromBot: boolean;
  /** Slack message timestamp: reply with `thread_ts: threadTs ?? ts`. */
  ts?: string;
  threadTs?: string;
  channel?: string;
}

/** Labels that every alert carries with the same value. */
export function sharedLabels(alerts: readonly ParsedAlert[]): Record<string, string> {
  const [first, ...rest] = alerts;
  if (!first) return {};
  const shared: Record<string, string> = {};
  for (const [key, value] of Object.entries(first.labels)) {
    if (rest.every((a) => a.labels[key] === value)) shared[key] = value;
  }
  return shared;
}
