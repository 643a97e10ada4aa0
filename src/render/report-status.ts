import { worstSeverity } from '../diagnostics/engine.js';
import type { CheckSummary, Finding, Report, Severity } from '../diagnostics/types.js';

export type OverallStatus = Severity | 'incomplete' | 'healthy';

/** The checks that failed or timed out (status `error`): what the report could not check. */
export function failedChecks(report: Report): CheckSummary[] {
  return report.checks.filter((c) => c.status === 'error');
}

/**
 * Overall status of a report. A critical finding wins: it is what to act on. Otherwise a report with a
 * check that failed or timed out is `incomplete`, whatever it did find, because what was not checked may
 * be the cause; then the worst severity, else `healthy`. A skipped check (no source configured) is a
 * choice of the configuration, not a failure, and leaves the report complete.
 *
 * @example overallStatus({ ...report, findings: [info], checks: [memoryTimedOut] }) // 'incomplete', not 'info'
 */
export function overallStatus(report: Report): OverallStatus {
  const worst = worstSeverity(report);
  if (worst === 'critical') return worst;
  if (failedChecks(report).length) return 'incomplete';
  return worst ?? 'healthy';
}

/** "1 critical, 2 warning", or "no findings"; only the severities present. */
export function countLine(findings: readonly Finding[]): string {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  const order: readonly Severity[] = ['critical', 'warning', 'info'];
  const parts = order.filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'no findings';
}
