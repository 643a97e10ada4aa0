import { sharedLabels, type AlertStatus, type ParsedAlert, type ParsedAlertPost } from '../alert-post.js';
import type { MessageView } from './message-view.js';
import type { LineReader } from './plain-line.js';
import { readSections } from './section-reader.js';
import { statedStatus } from './sections.js';

/** Most alerts read from one post; Alertmanager's own notifications rarely list more than a few. */
const MAX_ALERTS = 100;

// Slack's attachment colours, Alertmanager's and prometheus-msteams' Teams theme colours, Adaptive Card colours.
const RESOLVED_COLORS = new Set(['good', '#2eb886', '#36a64f', '#2eb67d', '2dc72d', '#2dc72d']);
const FIRING_COLORS = new Set([
  ...['danger', 'warning', 'attention', '#a30200', '#e01e5a', '#daa038', '#ff0000'],
  ...['8c1a1a', '#8c1a1a'],
]);

function colorStatus(color: string | undefined): AlertStatus | undefined {
  const c = color?.toLowerCase();
  if (!c) return undefined;
  if (RESOLVED_COLORS.has(c)) return 'resolved';
  return FIRING_COLORS.has(c) ? 'firing' : undefined;
}

function dedupe(alerts: ParsedAlert[]): ParsedAlert[] {
  const seen = new Set<string>();
  return alerts.filter((a) => {
    const key = JSON.stringify([a.alertname, a.status, Object.entries(a.labels).sort()]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ViewReading {
  /** Prefers these names when a title or header holds several words. */
  isKnown: (alertname: string) => boolean;
  /** The platform's markup as plain lines (Slack mrkdwn, Teams markdown and HTML). */
  toLines: LineReader;
  origin: ParsedAlertPost['origin'];
}

/**
 * The alerts a chat message shows, read from its text in reading order (see `parseAlertPost`): titles such
 * as `[FIRING:2] SessionTTLViolations (info sessions prod)`, `Labels:` lists, `key: value` fields. Undefined
 * when it names no alert.
 */
export function alertPostOfView(view: MessageView, r: ViewReading): ParsedAlertPost | undefined {
  const { sections, subjects, firstEmoji } = readSections(view.segments, r.isKnown, r.toLines);
  const subjectNames = [...new Set(subjects.flatMap((s) => (s.name ? [s.name] : [])))];
  const explicit = sections.flatMap((s) => statedStatus(s) ?? []);
  const status: AlertStatus =
    subjects[0]?.status ??
    (explicit.length ? (explicit.includes('firing') ? 'firing' : 'resolved') : undefined) ??
    firstEmoji ??
    colorStatus(view.colors[0]) ??
    'firing';

  const alerts: ParsedAlert[] = [];
  for (const s of sections) {
    const alertname = s.labels.alertname ?? s.name ?? (subjectNames.length === 1 ? subjectNames[0] : undefined);
    if (!alertname) continue;
    const labels: Record<string, string> = { alertname, ...s.labels };
    if (s.severity && !labels.severity) labels.severity = s.severity;
    const annotations = Object.keys(s.annotations).length ? { annotations: s.annotations } : {};
    alerts.push({ alertname, status: statedStatus(s) ?? status, labels, ...annotations });
  }
  for (const subject of subjects) {
    const name = subject.name;
    if (name && !alerts.some((a) => a.alertname === name)) {
      alerts.push({ alertname: name, status: subject.status, labels: { alertname: name } });
    }
  }
  const unique = dedupe(alerts).slice(0, MAX_ALERTS);
  if (!unique.length) return undefined;

  const firingCount = subjects.find((s) => s.count !== undefined)?.count;
  const groupValues = [...new Set(subjects.flatMap((s) => s.values))];
  return {
    alerts: unique,
    status,
    ...(firingCount === undefined ? {} : { firingCount }),
    groupLabels: sharedLabels(unique),
    groupValues,
    origin: r.origin,
    fromBot: view.fromBot,
    ...(view.ts ? { ts: view.ts } : {}),
    ...(view.threadTs ? { threadTs: view.threadTs } : {}),
    ...(view.channel ? { channel: view.channel } : {}),
  };
}
