import { describe, expect, it } from 'vitest';
import { plainText, type Block, type Message } from '../../src/core/message.js';
import type { Finding, Report } from '../../src/diagnostics/types.js';
import { reportMessage } from '../../src/render/report-message.js';

const evictions: Finding = {
  id: 'eviction.allkeys_policy',
  check: 'eviction-policy',
  severity: 'critical',
  title: 'maxmemory-policy is allkeys-lru',
  detail: 'Sessions can be evicted.',
  evidence: { policy: 'allkeys-lru', usedRatio: 0.9634 },
  fix: 'Use volatile-lru.',
};
const distribution: Finding = {
  id: 'ttl.distribution',
  check: 'ttl-sample',
  severity: 'info',
  title: 'Remaining TTLs',
  detail: '',
  evidence: { sampled: 3, buckets: [{ label: '<1h', count: 2 }, { label: '>1h', count: 1 }] },
};
const report: Report = {
  environment: 'prod',
  startedAt: '2026-11-27T10:00:00.000Z',
  durationMs: 1530,
  checks: [
    { id: 'eviction-policy', status: 'findings', durationMs: 12 },
    { id: 'env-check', status: 'error', durationMs: 40, message: 'configmaps is forbidden' },
  ],
  findings: [evictions, distribution],
  scenarios: [{ scenario: 1, name: 'Redis memory eviction', likelihood: 'likely', evidence: ['eviction.allkeys_policy'] }],
};

const block = <K extends Block['kind']>(m: Message, kind: K, id?: string) =>
  m.blocks.find((b) => b.kind === kind && (id === undefined || ('id' in b && b.id === id))) as Extract<Block, { kind: K }> | undefined;

describe('reportMessage (neutral, pure)', () => {
  it('draws the report as header, scenario, summary, findings, chart, actions and checks, in that order', () => {
    const m = reportMessage(report);
    expect(m.blocks.map((b) => ('id' in b && b.id) || b.kind)).toEqual([
      'header',
      'scenarios',
      'summary',
      'finding:eviction.allkeys_policy',
      'finding:ttl.distribution',
      'chart:ttl.distribution',
      'actions',
      'context',
    ]);
    expect(m.blocks[0]).toEqual({ kind: 'header', text: 'Session TTL diagnosis: prod', tone: 'critical', status: { icon: 'critical', label: 'CRITICAL' } });
    expect(m.text).toBe(
      'Session TTL diagnosis for prod: critical, 1 critical, 1 info. Most likely: Scenario 1, Redis memory eviction: maxmemory-policy is allkeys-lru. [critical] maxmemory-policy is allkeys-lru; [info] Remaining TTLs',
    );
  });

  it('puts a Re-run and a Verify button on every report, each a command with the environment as ref', () => {
    for (const r of [report, { ...report, findings: [], checks: [] }]) {
      expect(block(reportMessage(r), 'actions')?.actions).toEqual([
        { command: 'diagnose', label: 'Re-run', ref: 'prod' },
        { command: 'verify', label: 'Verify', ref: 'prod' },
      ]);
    }
  });

  it('writes a finding as icon, title, id, detail, evidence and fix, collapsible by severity', () => {
    const f = block(reportMessage(report), 'section', 'finding:eviction.allkeys_policy')!;
    expect(f.text.slice(0, 5)).toEqual([{ icon: 'critical' }, { text: ' ' }, { text: 'maxmemory-policy is allkeys-lru', bold: true }, { text: '  ' }, { text: 'eviction.allkeys_policy', code: true }]);
    expect(plainText(f.text)).toBe('maxmemory-policy is allkeys-lru  eviction.allkeys_policy\nSessions can be evicted.\n• policy=allkeys-lru\n• usedRatio=0.963\nFix: Use volatile-lru.');
    expect(f.collapse).toEqual({ tag: 'critical' });
  });

  it('draws the TTL distribution as preformatted lines of the asked width, not as evidence text', () => {
    const m = reportMessage(report, { chartWidth: 10 });
    expect(block(m, 'preformatted')?.lines).toEqual(['<1h  ██████████  2', '>1h  █████       1']);
    expect(plainText(block(m, 'section', 'finding:ttl.distribution')!.text)).not.toContain('buckets');
  });

  it('keeps data as literal text: no markup of any platform in the message', () => {
    const hostile: Finding = { ...evictions, title: '<!channel> *bold* `x`', evidence: { key: '\x1b]0;TITLE\x07' } };
    const json = JSON.stringify(reportMessage({ ...report, findings: [hostile] }));
    expect(json).toContain('"text":"<!channel> *bold* `x`","bold":true');
    expect(json).not.toMatch(/:red_circle:|&lt;|\\u001b\[/);
  });

  it('asks to mention the on-call group only on a severe escalation', () => {
    const esc: Finding = { ...evictions, id: 'escalation.severe', evidence: { onCallUserGroup: 'S0ONCALL' } };
    expect(block(reportMessage({ ...report, findings: [esc] }), 'section', 'finding:escalation.severe')!.text[0]).toEqual({ mentionGroup: 'S0ONCALL' });
    const other: Finding = { ...evictions, evidence: { onCallUserGroup: 'S0ONCALL' } };
    expect(JSON.stringify(reportMessage({ ...report, findings: [other] }))).not.toContain('mentionGroup');
  });

  it('caps a long detail so the fix after it survives any renderer', () => {
    const long = { ...evictions, detail: 'x'.repeat(10_000) };
    const text = plainText(block(reportMessage({ ...report, findings: [long] }), 'section', 'finding:eviction.allkeys_policy')!.text);
    expect(text.length).toBeLessThan(2000);
    expect(text).toMatch(/x…\n• policy/);
    expect(text).toContain('Fix: Use volatile-lru.');
  });

  it('is pure and serialisable: the same report gives the same message, and JSON round-trips it', () => {
    const m = reportMessage(report);
    expect(reportMessage(structuredClone(report))).toEqual(m);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });
});

describe('plainText', () => {
  it('drops icons and mentions and keeps the url of a link', () => {
    expect(plainText([{ icon: 'repeat' }, { text: ' see ' }, { text: 'the thread', link: 'https://x.test/t' }, { mentionGroup: 'S1' }, { text: '.' }])).toBe(
      'see the thread (https://x.test/t).',
    );
  });
});
