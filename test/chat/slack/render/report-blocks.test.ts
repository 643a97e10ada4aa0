import { describe, expect, it } from 'vitest';
import type { Finding, Report, Severity } from '../../../../src/diagnostics/types.js';
import { SLACK_LIMITS, toBlockKit, type RenderOptions } from '../../../../src/chat/slack/render/block-kit.js';
import { escapeMrkdwn, truncate } from '../../../../src/chat/slack/render/mrkdwn-text.js';
import { reportMessage } from '../../../../src/render/report-message.js';

/** A diagnosis report as Slack shows it. */
const renderReportMessage = (report: Report, opts: RenderOptions = {}) => toBlockKit(reportMessage(report, opts), opts);

function finding(i: number, over: Partial<Finding> = {}): Finding {
  const severities: Severity[] = ['critical', 'warning', 'info'];
  return {
    id: `test.finding_${i}`,
    check: 'fixture',
    severity: severities[i % 3] as Severity,
    title: `Finding ${i}`,
    detail: `Detail of finding ${i}.`,
    evidence: { n: i },
    ...over,
  };
}

function report(findings: Finding[], over: Partial<Report> = {}): Report {
  return {
    environment: 'prod',
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 1234,
    scenarios: [],
    checks: [
      { id: 'ttl-sample', status: findings.length ? 'findings' : 'ok', durationMs: 812 },
      {
        id: 'memory',
        status: 'error',
        durationMs: 3001,
        message: 'Redis at 10.0.0.1:6379 is unreachable (ECONNREFUSED).',
      },
      { id: 'env-check', status: 'skipped', durationMs: 0, message: 'no kubernetes source configured' },
    ],
    findings,
    ...over,
  };
}

type AnyBlock = {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  elements?: { text: string }[];
};
const blocksOf = (r: Report) => renderReportMessage(r).blocks as unknown as AnyBlock[];
const byId = (blocks: AnyBlock[], id: string) => blocks.find((b) => b.block_id === id) as AnyBlock;

describe('renderReportMessage', () => {
  it('draws a header with env and status, one section per finding, and a context line with check timings', () => {
    const msg = renderReportMessage(
      report([
        finding(0, {
          id: 'ttl.no_expiry',
          title: '20 of 1,000 sampled sessions never expire',
          fix: 'Use SETEX.',
          evidence: { noExpiry: 20, samples: ['session:a', 'session:b'] },
        }),
        finding(2, {
          id: 'ttl.distribution',
          severity: 'info',
          evidence: {
            buckets: [
              { label: '<1m', count: 3 },
              { label: '1m-10m', count: 12 },
            ],
            sampled: 15,
          },
        }),
      ]),
    );
    const blocks = msg.blocks as unknown as AnyBlock[];
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Session TTL diagnosis: prod :red_circle: CRITICAL', emoji: true },
    });
    expect(blocks.map((b) => b.block_id).filter(Boolean)).toEqual([
      'not-checked',
      'scenarios',
      'summary',
      'finding:ttl.no_expiry',
      'finding:ttl.distribution',
      'actions',
    ]);
    const noExpiry = byId(blocks, 'finding:ttl.no_expiry').text!.text;
    expect(noExpiry).toContain(':red_circle: *20 of 1,000 sampled sessions never expire*');
    expect(noExpiry).toContain('noExpiry=20');
    expect(noExpiry).toContain('*Fix:* Use SETEX.');
    const chart = byId(blocks, 'finding:ttl.distribution').text!.text;
    expect(chart).toMatch(/```&lt;1m +█+▏? +3\n1m-10m +█{20} +12```/);
    expect(chart).not.toContain('buckets=');
    const context = blocks.at(-1)!;
    expect(context.type).toBe('context');
    expect(context.elements![0]!.text).toContain('`ttl-sample` findings 812 ms');
    expect(context.elements![0]!.text).toContain(
      '`memory` error 3 s (Redis at 10.0.0.1:6379 is unreachable (ECONNREFUSED).)',
    );
    expect(context.elements![0]!.text).toContain('`env-check` skipped');
    expect(msg.text).toBe(
      'Session TTL diagnosis for prod: 1 critical, 1 info. Not checked: memory (Redis at 10.0.0.1:6379 is unreachable (ECONNREFUSED)). No runbook scenario is supported by what could be checked: 0 of 0 ruled out. [critical] 20 of 1,000 sampled sessions never expire; [info] Finding 2',
    );
  });

  it('says healthy when there are no findings and incomplete when a check failed without findings', () => {
    const healthy = report([], { checks: [{ id: 'ttl-sample', status: 'ok', durationMs: 5 }] });
    expect(blocksOf(healthy)[0]!.text!.text).toContain('HEALTHY');
    expect(renderReportMessage(healthy).text).toMatch(/healthy, no findings/);
    expect(blocksOf(report([]))[0]!.text!.text).toContain('INCOMPLETE');
  });

  it('keeps 200 findings within 50 blocks with an "and N more findings" line', () => {
    const r = report(Array.from({ length: 200 }, (_, i) => finding(i)));
    const blocks = blocksOf(r);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(blocks.length).toBe(50);
    const shown = blocks.filter((b) => b.block_id?.startsWith('finding:')).length;
    const more = blocks.find((b) => b.block_id === 'more-findings');
    expect(more?.text?.text).toContain(`and ${200 - shown} more findings`);
    expect(blocks.at(-1)!.type).toBe('context');
  });

  it('shows exactly the budget without a "more" line when the findings just fit', () => {
    // Header, not checked, scenarios, summary, the Re-run/Verify actions and the checks line leave 44 blocks for findings.
    const blocks = blocksOf(report(Array.from({ length: 44 }, (_, i) => finding(i))));
    expect(blocks).toHaveLength(50);
    expect(blocks.some((b) => b.block_id === 'more-findings')).toBe(false);
    const over = blocksOf(report(Array.from({ length: 45 }, (_, i) => finding(i))));
    expect(over).toHaveLength(50);
    expect(over.find((b) => b.block_id === 'more-findings')?.text?.text).toContain('and 2 more findings');
  });

  it('cuts a 10,000-character detail below 3000 characters and keeps the title and fix', () => {
    const text = byId(
      blocksOf(report([finding(0, { detail: 'x'.repeat(10_000), fix: 'Do the fix.' })])),
      'finding:test.finding_0',
    ).text!.text;
    expect(text.length).toBeLessThan(SLACK_LIMITS.sectionText);
    expect(text).toContain('*Finding 0*');
    expect(text).toContain('…');
    expect(text).toContain('*Fix:* Do the fix.');
  });

  it('cuts the header to 150 characters and gives repeated finding ids unique block ids', () => {
    const blocks = blocksOf(
      report([finding(0, { id: 'dup' }), finding(1, { id: 'dup' })], { environment: 'e'.repeat(200) }),
    );
    expect(blocks[0]!.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(blocks.map((b) => b.block_id).filter((id) => id?.startsWith('finding:'))).toEqual([
      'finding:dup',
      'finding:dup:2',
    ]);
  });

  it('escapes mrkdwn control characters from data so a key name cannot ping @channel', () => {
    const blocks = blocksOf(
      report([
        finding(0, {
          title: '<!channel> hi',
          detail: 'a & b <https://evil|x>',
          evidence: { samples: ['session:<!here>'] },
        }),
      ]),
    );
    const text = byId(blocks, 'finding:test.finding_0').text!.text;
    expect(text).not.toMatch(/<!channel>|<!here>|<https/);
    expect(text).toContain('&lt;!channel&gt; hi');
    expect(text).toContain('a &amp; b');
  });

  it('opens with the most likely runbook scenario and its fix', () => {
    const r = report(
      [finding(0, { id: 'eviction.allkeys_policy', severity: 'critical', title: 'maxmemory-policy is allkeys-lru' })],
      {
        scenarios: [
          { scenario: 1, name: 'Redis memory eviction', likelihood: 'likely', evidence: ['eviction.allkeys_policy'] },
          { scenario: 6, name: 'Configuration mismatch', likelihood: 'possible', evidence: ['config.stale_pods'] },
          { scenario: 5, name: 'Clock skew', likelihood: 'ruled_out', evidence: [] },
        ],
      },
    );
    const blocks = blocksOf(r);
    expect(blocks[2]!.block_id).toBe('scenarios');
    const text = blocks[2]!.text!.text;
    expect(text).toMatch(
      /^:mag: \*Most likely: Scenario 1, Redis memory eviction: maxmemory-policy is allkeys-lru\*\n1\. Set maxmemory-policy to volatile-lru \(only keys with a TTL are evicted\) live on every node/,
    );
    expect(text).toContain('_Also consider: Scenario 6, Configuration mismatch_');
    expect(renderReportMessage(r).text).toContain('Most likely: Scenario 1, Redis memory eviction');
    const healthy = blocksOf(
      report([], {
        checks: [{ id: 'clock-skew', status: 'ok', durationMs: 5 }],
        scenarios: [{ scenario: 5, name: 'Clock skew', likelihood: 'ruled_out', evidence: [] }],
      }),
    );
    expect(healthy[1]!.text!.text).toBe(
      ':white_check_mark: *No runbook scenario is supported by the evidence: 1 of 1 ruled out.*',
    );
  });

  it('mentions the on-call user group on a severe escalation, and only a well-formed group id', () => {
    const esc = (group: string) =>
      byId(
        renderReportMessage(report([finding(0, { id: 'escalation.severe', severity: 'critical', evidence: {} })]), {
          onCall: { mentionGroup: group },
        }).blocks as unknown as AnyBlock[],
        'finding:escalation.severe',
      ).text!.text;
    expect(esc('S0ONCALL')).toMatch(/^<!subteam\^S0ONCALL> :red_circle:/);
    expect(esc('<!channel>')).not.toContain('<!');
  });

  it('is pure: the same report renders the same message', () => {
    const r = report([finding(0), finding(1)]);
    expect(renderReportMessage(r)).toEqual(renderReportMessage(structuredClone(r)));
  });
});

describe('truncate and escapeMrkdwn', () => {
  it('never splits an entity', () => {
    expect(truncate(escapeMrkdwn('ab&&&&'), 5)).toBe('ab…');
    expect(truncate('short', 10)).toBe('short');
  });
});
