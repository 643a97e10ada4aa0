import { worstSeverity } from '../diagnostics/engine.js';
import type { Finding, Report, Severity } from '../diagnostics/types.js';

export type OverallStatus = Severity | 'incomplete' | 'healthy';

/** Overall status of a report: the worst severity, `incomplete` when a check failed, else `healthy`. */
export function overallStatus(report: Report): OverallStatus {
  const worst = worstSeverity(report);
  if (worst) return worst;
  return report.checks.some((c) => c.status === 'error') ? 'incomplete' : 'healthy';
}

/** "1 critical, 2 warning", or "no findings"; only the severities present. */
export function countLine(findings: readonly Finding[]): string {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  const parts = (Object.keys(counts) as Severity[]).filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'no findings';
}
