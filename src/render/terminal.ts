import type { Finding, Report, Severity } from '../diagnostics/types.js';
import { renderBarChart, type Bucket } from './bar-chart.js';
import { evidencePairs } from './evidence.js';
import { scenarioHeadline } from './scenario-headline.js';

export interface TerminalRenderOptions {
  /** ANSI colours; the CLI turns them on only when stdout is a TTY (and NO_COLOR is unset). */
  color: boolean;
}

const LABEL: Record<Severity, string> = { critical: 'CRITICAL', warning: 'WARNING ', info: 'INFO    ' };
const COLOR: Record<Severity, string> = { critical: '\x1b[1;31m', warning: '\x1b[33m', info: '\x1b[36m' };
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line summing the report up, e.g. "2 critical, 3 warnings, 1 info". */
export function severityCounts(findings: readonly Finding[]): string {
  const by = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return `${by('critical')} critical, ${count(by('warning'), 'warning')}, ${by('info')} info`;
}

function isBuckets(v: unknown): v is Bucket[] {
  return Array.isArray(v) && v.every((b) => typeof b?.label === 'string' && typeof b?.count === 'number');
}

/** Renders a report for a terminal. Pure: same report in, same text out. */
export function renderReportText(report: Report, opts: TerminalRenderOptions): string {
  const paint = (code: string, text: string) => (opts.color ? `${code}${text}${RESET}` : text);
  const lines: string[] = [];
  lines.push(
    paint(BOLD, `session-ttl diagnosis: ${report.environment}`) +
      `  ${severityCounts(report.findings)}  (${(report.durationMs / 1000).toFixed(2)} s, ${report.startedAt})`,
  );
  lines.push('');
  const headline = scenarioHeadline(report);
  lines.push(paint(headline.healthy ? COLOR.info : BOLD, headline.text));
  headline.fix.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`));
  if (headline.alsoConsider.length) lines.push(paint(DIM, `  Also consider: ${headline.alsoConsider.join('; ')}`));
  const ranked = report.scenarios.map((s) => `${s.scenario} ${s.likelihood.replace('_', ' ')}`).join(' · ');
  if (ranked) lines.push(paint(DIM, `  Scenarios: ${ranked}`));
  lines.push('');
  for (const f of report.findings) {
    lines.push(`${paint(COLOR[f.severity], LABEL[f.severity])}  ${paint(BOLD, f.title)}  ${paint(DIM, f.id)}`);
    const indent = '          ';
    if (f.detail) lines.push(indent + f.detail);
    const pairs = evidencePairs(f.evidence);
    if (pairs.length) lines.push(indent + paint(DIM, pairs.join('  ')));
    if (isBuckets(f.evidence.buckets)) {
      for (const row of renderBarChart(f.evidence.buckets, { width: 30 })) lines.push(indent + row);
    }
    if (f.fix) lines.push(`${indent}fix: ${f.fix}`);
    lines.push('');
  }
  lines.push(paint(BOLD, 'checks'));
  for (const c of report.checks) {
    const status = c.status === 'error' ? paint(COLOR.critical, c.status) : c.status;
    lines.push(`  ${c.id.padEnd(18)} ${status.padEnd(opts.color && c.status === 'error' ? 8 + 11 : 8)} ${String(c.durationMs).padStart(6)} ms${c.message ? `  ${c.message}` : ''}`);
  }
  return lines.join('\n') + '\n';
}
