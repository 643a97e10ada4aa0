import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnostics/types.js';
import { t, type Message } from '../../src/core/message.js';
import { renderReportText, severityCounts, toTerminal } from '../../src/render/terminal.js';
import { sampleReport } from '../fixtures/sample-report.js';

const report: Report = {
  ...sampleReport,
  checks: [
    { id: 'memory', status: 'findings', durationMs: 1012 },
    { id: 'env-check', status: 'error', durationMs: 40, message: 'configmaps is forbidden' },
  ],
  scenarios: [
    ...sampleReport.scenarios,
    { scenario: 6, name: 'Configuration mismatch', likelihood: 'possible', evidence: [], unchecked: ['env-check'] },
  ],
};

describe('renderReportText', () => {
  it('opens with what was not checked, the ranking and the fix, then findings with evidence, chart, the next commands and check timings', () => {
    const text = renderReportText(report, { color: false });
    expect(text.split('\n').slice(0, 10)).toEqual([
      'Session TTL diagnosis: prod  CRITICAL',
      '',
      '? Not checked: env-check (configmaps is forbidden).',
      '',
      '▸ Most likely: Scenario 1, Redis memory eviction: maxmemory-policy is allkeys-lru',
      '  1. Set maxmemory-policy to volatile-lru (only keys with a TTL are evicted) live on every node and in the one maxmemory-policy line of redis.conf in the redis-session-config ConfigMap (keep every other line); the "Set the Redis eviction policy" button does both. Or raise maxmemory (runbook redis-memory.md).',
      '  2. CONFIG SET takes effect at once, without a restart; the ConfigMap line keeps it across the next restart. When the ConfigMap already says volatile-lru, the live value drifted (see config.live_drift).',
      '  Scenarios: 1 likely · 6 possible',
      '',
      '1 critical, 1 info from 2 checks in 1.5 s (started 2026-11-27T10:00:00.000Z)',
    ]);
    expect(text).toContain(
      'CRITICAL maxmemory-policy is allkeys-lru  eviction.allkeys_policy\n  Sessions can be evicted.\n  Fix: Use volatile-lru.\n  Evidence: policy=allkeys-lru · usedRatio=0.963\n',
    );
    // The chart sits right under its finding, 30 characters wide.
    expect(text).toMatch(
      /INFO Remaining TTLs {2}ttl\.distribution\n {2}Evidence: sampled=3\n {2}<1h {2}█{30} {2}2\n {2}>1h {2}█{15} {17}1\n/,
    );
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

describe('toTerminal', () => {
  const hostile: Message = {
    text: 'x',
    blocks: [
      { kind: 'header', text: 'env \x1b[2J', status: { icon: 'critical', label: 'CRITICAL' } },
      {
        kind: 'section',
        text: [{ icon: 'warning' }, t(' key session:\x1b]0;TITLE\x07evil\r\u202e'), t(' bold\x9b31m', { bold: true })],
      },
      { kind: 'preformatted', lines: ['a\x1b[31m'] },
      { kind: 'section', text: [], fields: [{ label: 'L\x07', value: [t('v\x1b')] }] },
      { kind: 'context', items: [[t('note\x00')]] },
      { kind: 'actions', actions: [{ command: 'diagnose', label: 'Re-run', ref: 'prod\x1b[1m' }] },
    ],
  };

  it('strips control characters from every string, so a key name cannot drive the terminal', () => {
    for (const color of [false, true]) {
      const text = toTerminal(hostile, { color });
      expect(text).toContain('key session:]0;TITLEevil');
      expect(text).not.toMatch(/[\x07\r\x00\x9b\u202e]|\x1b\]|\x1b\[2J|\x1b\[31m|\x1b$/m);
      // With colour, the only escapes are our own SGR sequences.
      expect(text.replace(/\x1b\[[0-9;]*m/g, '')).not.toContain('\x1b');
    }
    expect(toTerminal(hostile, { color: false })).not.toContain('\x1b');
  });

  it('prints buttons as the commands to type', () => {
    const m: Message = {
      text: '',
      blocks: [
        {
          kind: 'actions',
          actions: [
            { command: 'diagnose', label: 'Re-run', ref: 'prod' },
            { command: 'verify', label: 'Verify', ref: 'prod' },
          ],
        },
      ],
    };
    expect(toTerminal(m, { color: false })).toBe('Next: session-ttl diagnose prod · session-ttl verify prod\n');
  });

  it('aligns fields, indents continuation lines and shows links with their url', () => {
    const m: Message = {
      text: '',
      blocks: [
        {
          kind: 'section',
          text: [t('first\nsecond '), t('docs', { link: 'https://x.test/' }), t(' '), { mentionGroup: 'S0ONCALL' }],
        },
        {
          kind: 'section',
          text: [],
          fields: [
            { label: 'TTL', value: [t('60 s')] },
            { label: 'Cleanup', value: [t('removed')] },
          ],
        },
      ],
    };
    expect(toTerminal(m, { color: false })).toBe(
      'first\n  second docs (https://x.test/) @S0ONCALL\n\n  TTL      60 s\n  Cleanup  removed\n',
    );
  });
});
