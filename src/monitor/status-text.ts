import { count, duration } from '../core/format.js';
import { VIOLATION_REASONS } from './metrics.js';
import type { EnvStatus } from './monitor-status.js';

/**
 * The monitor's status as plain lines (Slack mrkdwn and the terminal both read them): tracked sessions,
 * violations by reason in the last hour, lifetime percentiles, the notification setting, the lease holder.
 */
export function statusLines(statuses: readonly EnvStatus[]): string[] {
  if (!statuses.length) return ['No such environment.'];
  return statuses.flatMap((s) => {
    if (s.kind === 'off') return [`*${s.env}*: monitor off (monitor.enabled: false)`];
    if (s.kind === 'unknown') return [`*${s.env}*: no status: ${s.why}`];
    const st = s.status;
    const v = st.hour.violations;
    const reasons = VIOLATION_REASONS.map((r) => `${r} ${count(v[r] ?? 0)}`).join(', ');
    const life = st.hour.lifetime
      ? `lifetime p50 ${duration(st.hour.lifetime.p50)}, p90 ${duration(st.hour.lifetime.p90)}, p99 ${duration(st.hour.lifetime.p99)} (${count(st.hour.lifetime.count)} ended)`
      : 'no session ended in the last hour';
    const notify = !st.notify
      ? 'notifications: not checked yet'
      : st.notify.ok
        ? `notifications: notify-keyspace-events "${st.notify.setting}" (enough)`
        : `notifications: ${st.notify.message}`;
    return [
      `*${s.env}*: ${st.state} by replica \`${st.replica}\` (reported ${duration(Math.max(0, s.ageMs) / 1000)} ago)`,
      `  tracked sessions ${count(st.tracked)}${st.sampleRate < 1 ? ` (sampling ${st.sampleRate * 100}% of keys)` : ''}; gaps ${st.gaps}`,
      `  violations in the last hour: ${reasons}`,
      `  ${life}`,
      `  ${notify}`,
      ...(st.lastError ? [`  last error: ${st.lastError}`] : []),
    ];
  });
}
