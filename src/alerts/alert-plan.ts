import type { AlertKind } from './alert-kinds.js';
import type { ParsedAlertPost } from './alert-post.js';
import type { EnvironmentResolver } from './environment-mapping.js';

/** A known alert in one environment. */
export interface PlannedAlert {
  kind: AlertKind;
  env: string;
}

/** What to answer to one alert notification. */
export interface AlertPlan {
  firing: PlannedAlert[];
  resolved: PlannedAlert[];
  /** Known alerts whose environment is unknown, and the labels that were looked at. */
  unmapped?: { alertnames: string[]; seen: Record<string, string> };
  /** Names of alerts the bot does not answer. */
  ignored: string[];
}

/**
 * Sorts a notification's alerts into what to diagnose, what resolved and what cannot be mapped.
 * One entry per alert + environment: a group where one instance still fires in an environment is firing there.
 */
export function planAlertReplies(
  post: ParsedAlertPost,
  resolver: EnvironmentResolver,
  kindOf: (alertname: string) => AlertKind | undefined,
): AlertPlan {
  const firing = new Map<string, PlannedAlert>();
  const resolved = new Map<string, PlannedAlert>();
  const unmappedNames = new Set<string>();
  const seen: Record<string, string> = {};
  const ignored = new Set<string>();
  for (const { alert, resolution } of resolver.resolvePost(post)) {
    const kind = kindOf(alert.alertname);
    if (!kind) {
      ignored.add(alert.alertname);
      continue;
    }
    if (resolution.env === undefined) {
      unmappedNames.add(kind.alertname);
      for (const [k, v] of Object.entries(resolution.seen)) seen[k] ??= v;
      continue;
    }
    const key = `${kind.alertname}\u0000${resolution.env}`;
    (alert.status === 'firing' ? firing : resolved).set(key, { kind, env: resolution.env });
  }
  for (const key of firing.keys()) resolved.delete(key);
  return {
    firing: [...firing.values()],
    resolved: [...resolved.values()],
    ...(unmappedNames.size ? { unmapped: { alertnames: [...unmappedNames], seen } } : {}),
    ignored: [...ignored],
  };
}

/** Slack's `1718031234.000200` in ms since the epoch; undefined when it is not a Slack ts. */
export function slackTsToMs(ts: string | undefined): number | undefined {
  if (!ts || !/^\d{9,11}\.\d{1,6}$/.test(ts)) return undefined;
  return Math.round(Number(ts) * 1000);
}
