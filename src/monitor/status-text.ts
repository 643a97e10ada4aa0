import { count, duration } from '../core/format.js';
import { plainText, t, type Inline } from '../core/message.js';
import { VIOLATION_REASONS } from './metrics.js';
import type { HourSummary } from './hour-window.js';
import type { EnvStatus } from './monitor-status.js';

/** One environment's status: a headline (its name in bold) and detail lines under it. */
export interface StatusEntry {
  head: Inline;
  details: string[];
}

type Watched = Extract<EnvStatus, { status: unknown }>;

/**
 * What ended in the last hour, normally (expired at its TTL) and early (expired early, evicted, deleted),
 * then the lifetimes: known only for sessions whose first write the monitor saw, not for those it found
 * by a scan (written before it watched).
 */
function endedLines(hour: HourSummary): string[] {
  const l = hour.lifetime;
  const lifetime = l && `lifetime p50 ${duration(l.p50)}, p90 ${duration(l.p90)}, p99 ${duration(l.p99)}`;
  const e = hour.ended;
  // An older replica's snapshot has lifetimes only.
  if (!e) return [lifetime ? `${lifetime} (${count(l.count)} ended)` : 'no session lifetime recorded in the last hour'];
  const early = e.expired_early + e.evicted + e.deleted;
  const total = e.expired + early;
  if (!total) return ['no session ended in the last hour'];
  const earlyText = early
    ? `${count(early)} early (expired early ${count(e.expired_early)}, evicted ${count(e.evicted)}, deleted ${count(e.deleted)})`
    : 'none early';
  return [
    `ended in the last hour: ${count(total)} session(s): ${count(e.expired)} normally (expired at their TTL), ${earlyText}`,
    lifetime
      ? `${lifetime} (of the ${count(l.count)} whose first write the monitor saw)`
      : 'lifetimes: not known (the monitor saw none of their first writes: they were written before it watched)',
  ];
}

function details(s: Watched): string[] {
  const st = s.status;
  const v = st.hour.violations;
  const reasons = VIOLATION_REASONS.map((r) => `${r} ${count(v[r] ?? 0)}`).join(', ');
  const life = endedLines(st.hour);
  const notify = !st.notify
    ? 'notifications: not checked yet'
    : st.notify.ok
      ? `notifications: notify-keyspace-events "${st.notify.setting}" (enough)`
      : `notifications: ${st.notify.message}`;
  const sampling = st.sampleRate < 1 ? ` (sampling ${st.sampleRate * 100}% of keys)` : '';
  return [
    `tracked sessions ${count(st.tracked)}${sampling}; gaps ${st.gaps}`,
    `violations in the last hour: ${reasons}`,
    ...life,
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
