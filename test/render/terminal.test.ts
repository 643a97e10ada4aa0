import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnostics/types.js';
import { renderReportText, severityCounts } from '../../src/render/terminal.js';

const report: Report = {
  environment: 'prod',
  startedAt: '2026-11-27T10:00:00.000Z',
  durationMs: 1530,
  checks: [
    { id: 'memory', status: 'findings', durationMs: 1012 },
    { id: 'env-check', status: 'error', durationMs: 40, message: 'configmaps is forbidden' },
  ],
  findings: [
    {
      id: 'eviction.allkeys_policy',
      check: 'eviction-policy',
      severity: 'critical',
      title: 'maxmemory-policy is allkeys-lru',
      detail: 'Sessions can be evicted.',
      evidence: { policy: 'allkeys-lru', usedRatio: 0.9634 },
      fix: 'Use volatile-lru.',
    },
    {
      id: 'ttl.distribution',
      check: 'ttl-sample',
      severity: 'info',
      title: 'Remaining TTLs',
      detail: '',
      evidence: { sampled: 3, buckets: [{ label: '<1h', count: 2 }, { label: '>1h', count: 1 }] },
    },
  ],
  scenarios: [
    { scenario: 1, name: 'Redis memory eviction', likelihood: 'likely', evidence: ['eviction.allkeys_policy'] },
    { scenario: 6, name: 'Configuration mismatch', likelihood: 'possible', evidence: [], unchecked: ['env-check'] },
  ],
};

describe('renderReportText', () => {
  it('opens with the ranking and the fix, then findings with evidence, chart, the next commands and check timings', () => {
    const text = renderReportText(report, { color: false });
    expect(text.split('\n').slice(0, 8)).toEqual([
      'Session TTL diagnosis: prod  CRITICAL',
      '',
      '▸ Most likely: Scenario 1, Redis memory eviction: maxmemory-policy is allkeys-lru',
      '  1. Change maxmemory-policy to volatile-lru in the redis-session-config ConfigMap (only keys with a TTL are evicted), or raise maxmemory (runbook redis-memory.md).',
      '  2. Restart Redis: kubectl rollout restart deployment/redis-session -n <namespace>.',
      '  Scenarios: 1 likely · 6 possible',
      '',
      '1 critical, 1 info from 2 checks in 1.5 s (started 2026-11-27T10:00:00.000Z)',
    ]);
    expect(text).toContain('CRITICAL maxmemory-policy is allkeys-lru  eviction.allkeys_policy\n  Sessions can be evicted.\n');
    expect(text).toContain('  • policy=allkeys-lru\n  • usedRatio=0.963\n');
    expect(text).toContain('  Fix: Use volatile-lru.');
    // The chart sits right under its finding, 30 characters wide.
    expect(text).toMatch(/INFO Remaining TTLs {2}ttl\.distribution\n {2}• sampled=3\n {2}<1h {2}█{30} {2}2\n {2}>1h {2}█{15} {17}1\n/);
    expect(text).toContain('Next: session-ttl diagnose prod · session-ttl verify prod');
    expect(text).toMatch(/✗ env-check error 40 ms \(configmaps is forbidden\)\n$/);
    expect(text).not.toContain('\x1b[');
  });

  it('uses ANSI colours only when asked', () => {
    expect(renderReportText(report, { color: true })).toContain('\x1b[1;31mCRITICAL\x1b[0m');
  });

  it('counts severities', () => {
    expect(severityCounts(report.findings)).toBe('1 critical, 0 warnings, 1 info');
  });
});
