import { describe, expect, it } from 'vitest';
import type { CheckSummary, Finding, Report, Severity } from '../../src/diagnostics/types.js';
import { overallStatus } from '../../src/render/report-status.js';

const f = (severity: Severity): Finding => ({
  id: `x.${severity}`,
  check: 'x',
  severity,
  title: severity,
  detail: '',
  evidence: {},
});
const c = (status: CheckSummary['status']): CheckSummary => ({ id: `check-${status}`, status, durationMs: 1 });
const report = (findings: Finding[], checks: CheckSummary[]): Report => ({
  environment: 'e',
  startedAt: '',
  durationMs: 0,
  checks,
  findings,
  scenarios: [],
});

describe('overallStatus', () => {
  it.each([
    [[], [c('ok')], 'healthy'],
    [[f('info')], [c('findings')], 'info'],
    [[f('warning'), f('info')], [c('findings')], 'warning'],
    [[f('critical'), f('info')], [c('findings'), c('error')], 'critical'],
    [[f('info')], [c('findings'), c('error'), c('error'), c('error')], 'incomplete'],
    [[f('warning')], [c('findings'), c('error')], 'incomplete'],
    [[], [c('error')], 'incomplete'],
    [[], [c('ok'), c('skipped')], 'healthy'],
  ] as const)('%j with checks %j is %s', (findings, checks, expected) => {
    expect(overallStatus(report([...findings], [...checks]))).toBe(expected);
  });
});
