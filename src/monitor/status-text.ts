import { count, duration } from '../core/format.js';
import { plainText, t, type Inline } from '../core/message.js';
import { VIOLATION_REASONS } from './metrics.js';
import type { EnvStatus } from './monitor-status.js';

/** One environment's status: a headline (its name in bold) and detail lines under it. */
export interface StatusEntry {
  head: Inline;
  details: string[];
}

type Watched = Extract<EnvStatus, { status: unknown }>;

function details(s: Watched): string[] {
  const st = s.status;
  const v = st.hour.violations;
  const reasons = VIOLATION_REASONS.map((r) => `${r} ${count(v[r] ?? 0)}`).join(', ');
  const l = st.hour.lifetime;
  const life = l
    ? `lifetime p50 ${duration(l.p50)}, p90 ${duration(l.p90)}, p99 ${duration(l.p99)} (${count(l.count)} ended)`
    : 'no session ended in the last hour';
  const notify = !st.notify
    ? 'notifications: not checked yet'
    : st.notify.ok
      ? `notifications: notify-keyspace-events "${st.notify.setting}" (enough)`
      : `notifications: ${st.notify.message}`;
  const sampling = st.sampleRate < 1 ? ` (sampling ${st.sampleRate * 100}% of keys)` : '';
  return [
    `tracked sessions ${count(st.tracked)}${sampling}; gaps ${st.gaps}`,
    `violations in the last hour: ${reasons}`,
    life,
    notify,
    ...(st.lastError ? [`last error: ${st.lastError}`] : []),
  ];
}

/**
 * The monitor's status per environment, platform-neutral: tracked sessions, violations by reason in the
 * last hour, lifetime percentiles, the notification setting, the lease holder. Each front end lays it out.
 */
export function statusEntries(statuses: readonly EnvStatus[]): StatusEntry[] {
  if (!statuses.length) return [{ head: [t('No such environment.')], details: [] }];
  return statuses.map((s): StatusEntry => {
    const name = t(s.env, { bold: true });
    if (s.kind === 'off') return { head: [name, t(': monitor off (monitor.enabled: false)')], details: [] };
    if (s.kind === 'unknown') return { head: [name, t(`: no status: ${s.why}`)], details: [] };
    const ago = duration(Math.max(0, s.ageMs) / 1000);
    const head = [
      name,
      t(`: ${s.status.state} by replica `),
      t(s.status.replica, { code: true }),
      t(` (reported ${ago} ago)`),
    ];
    return { head, details: details(s) };
  });
}

/** The status as plain lines (the terminal, logs): each headline, its details indented under it. */
export function statusLines(statuses: readonly EnvStatus[]): string[] {
  return statusEntries(statuses).flatMap((e) => [plainText(e.head), ...e.details.map((d) => `  ${d}`)]);
}
