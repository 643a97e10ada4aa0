import { describe, expect, it } from 'vitest';
import { plainText, type Block, type Message } from '../../src/core/message.js';
import type { CheckSummary, Finding, Report } from '../../src/diagnostics/types.js';
import { reportMessage } from '../../src/render/report-message.js';
import { distributionFinding, evictionsFinding, sampleReport } from '../fixtures/sample-report.js';

const evictions = evictionsFinding;
const distribution = distributionFinding;
const report: Report = sampleReport;

const block = <K extends Block['kind']>(m: Message, kind: K, id?: string) =>
  m.blocks.find((b) => b.kind === kind && (id === undefined || ('id' in b && b.id === id))) as
    Extract<Block, { kind: K }> | undefined;

describe('reportMessage (neutral, pure)', () => {
  it('draws the report as header, scenario, summary, findings, chart, actions and checks, in that order', () => {
    const m = reportMessage(report);
    expect(m.blocks.map((b) => ('id' in b && b.id) || b.kind)).toEqual([
      'header',
      'not-checked',
      'scenarios',
      'summary',
      'finding:eviction.allkeys_policy',
      'finding:ttl.distribution',
      'chart:ttl.distribution',
      'actions',
      'context',
    ]);
    expect(m.blocks[0]).toEqual({
      kind: 'header',
      text: 'Session TTL diagnosis: prod',
      tone: 'critical',
      status: { icon: 'critical', label: 'CRITICAL' },
    });
    expect(m.text).toBe(
      'Session TTL diagnosis for prod: 1 critical, 1 info. Not checked: env-check (configmaps is forbidden). Most likely: Scenario 1, Redis memory eviction: maxmemory-policy is allkeys-lru. [critical] maxmemory-policy is allkeys-lru; [info] Remaining TTLs',
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

  it('writes a finding as icon, title, id, detail, fix and then the evidence on one line, collapsible by severity', () => {
    const f = block(reportMessage(report), 'section', 'finding:eviction.allkeys_policy')!;
    expect(f.text.slice(0, 5)).toEqual([
      { icon: 'critical' },
      { text: ' ' },
      { text: 'maxmemory-policy is allkeys-lru', bold: true },
      { text: '  ' },
      { text: 'eviction.allkeys_policy', code: true },
    ]);
    expect(plainText(f.text)).toBe(
      'maxmemory-policy is allkeys-lru  eviction.allkeys_policy\nSessions can be evicted.\nFix: Use volatile-lru.\nEvidence: policy=allkeys-lru · usedRatio=0.963',
    );
    expect(f.text.slice(-2)).toEqual([
      { text: 'Evidence:', italic: true },
      { text: ' policy=allkeys-lru · usedRatio=0.963' },
    ]);
    // The evidence line is what a renderer short of room folds first.
    expect(f.collapse).toEqual({ tag: 'critical', foldAt: f.text.length - 3 });
    expect(f.text.slice(f.collapse?.foldAt)).toEqual([
      { text: '\n' },
      { text: 'Evidence:', italic: true },
      { text: ' policy=allkeys-lru · usedRatio=0.963' },
    ]);
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

  it("puts the front end's on-call mention only in front of a severe escalation", () => {
    const onCall = { mentionGroup: 'S0ONCALL' };
    const esc: Finding = { ...evictions, id: 'escalation.severe', evidence: {} };
    expect(
      block(reportMessage({ ...report, findings: [esc] }, { onCall }), 'section', 'finding:escalation.severe')!.text[0],
    ).toEqual(onCall);
    expect(JSON.stringify(reportMessage({ ...report, findings: [evictions] }, { onCall }))).not.toContain(
      'mentionGroup',
    );
    expect(JSON.stringify(reportMessage({ ...report, findings: [esc] }))).not.toContain('mentionGroup');
  });

  it('caps a long detail so the fix after it survives any renderer', () => {
    const long = { ...evictions, detail: 'x'.repeat(10_000) };
    const text = plainText(
      block(reportMessage({ ...report, findings: [long] }), 'section', 'finding:eviction.allkeys_policy')!.text,
    );
    expect(text.length).toBeLessThan(2000);
    expect(text).toMatch(/x…\nFix: Use volatile-lru\.\nEvidence: policy/);
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
    expect(
      plainText([
        { icon: 'repeat' },
        { text: ' see ' },
        { text: 'the thread', link: 'https://x.test/t' },
        { mentionGroup: 'S1' },
        { text: '.' },
      ]),
    ).toBe('see the thread (https://x.test/t).');
  });
});

describe('an incomplete report says so before anything else (issue 10 items 2 and 3)', () => {
  const distributionOnly: Report = {
    environment: 'prod',
    startedAt: '2026-11-27T10:00:00.000Z',
    durationMs: 20_100,
    checks: [
      { id: 'ttl-sample', status: 'findings', durationMs: 80 },
      { id: 'memory', status: 'error', durationMs: 20_000, message: 'timed out after 20 s' },
      { id: 'eviction-policy', status: 'error', durationMs: 20_000, message: 'timed out after 20 s' },
      { id: 'env-check', status: 'error', durationMs: 35, message: 'Kubernetes API denied access to configmaps.' },
      { id: 'clock-skew', status: 'skipped', durationMs: 0, message: 'no kubernetes source configured' },
    ],
    findings: [distribution],
    scenarios: [
      {
        scenario: 1,
        name: 'Redis memory eviction',
        likelihood: 'possible',
        evidence: [],
        unchecked: ['memory', 'eviction-policy'],
      },
      { scenario: 5, name: 'Clock skew', likelihood: 'ruled_out', evidence: [] },
    ],
  };

  it('is INCOMPLETE in header and colour when checks timed out, not INFO with a tick', () => {
    // Given an info finding and three checks that failed or timed out.
    const m = reportMessage(distributionOnly);
    // Then the header is INCOMPLETE and no section opens with the healthy tick.
    expect(m.blocks[0]).toMatchObject({ tone: 'incomplete', status: { icon: 'incomplete', label: 'INCOMPLETE' } });
    expect(JSON.stringify(m.blocks.slice(1))).not.toContain('"icon":"ok"');
    expect(m.text).toMatch(/^Session TTL diagnosis for prod: incomplete, 1 info\. /);
  });

  it('names what was not checked and why, grouped by cause, before any scenario', () => {
    const m = reportMessage(distributionOnly);
    expect(m.blocks[1]).toMatchObject({ kind: 'section', id: 'not-checked' });
    const notChecked = plainText((m.blocks[1] as Extract<Block, { kind: 'section' }>).text);
    expect(notChecked).toBe(
      'Not checked: memory, eviction-policy (timed out after 20 s); env-check (Kubernetes API denied access to configmaps).',
    );
    // A skipped check is the configuration's choice, not a failure.
    expect(notChecked).not.toContain('clock-skew');
    const scenarios = plainText(block(m, 'section', 'scenarios')!.text);
    expect(scenarios).toMatch(
      /^No runbook scenario is supported by what could be checked: 1 of 2 ruled out; not ruled out: Scenario 1 \(memory, eviction-policy did not run\)\./,
    );
    expect(m.text.indexOf('Not checked: memory')).toBeLessThan(m.text.indexOf('No runbook scenario'));
  });

  it("leads with a failed source in the adapter's words, not with a scenario", () => {
    // Given Redis refused the connection, and the cluster alone points at Scenario 6.
    const message = 'Redis at 127.0.0.1:6390 is unreachable: it refused the connection (ECONNREFUSED).';
    const redisDown: Report = {
      ...distributionOnly,
      checks: [
        ...['ttl-sample', 'memory', 'eviction-policy'].map((id): CheckSummary => ({
          id,
          status: 'error',
          durationMs: 3,
          message,
        })),
        { id: 'env-check', status: 'findings', durationMs: 40 },
      ],
      findings: [
        {
          id: 'redis.unreachable',
          check: 'ttl-sample',
          severity: 'critical',
          title: 'Session store unreachable',
          detail: message,
          evidence: { address: '127.0.0.1:6390', code: 'ECONNREFUSED' },
          fix: 'Check that Redis is up.',
        },
        {
          id: 'config.stale_pods',
          check: 'env-check',
          severity: 'warning',
          title: '1 pod(s) started before the ConfigMap changed',
          detail: '',
          evidence: {},
        },
      ],
      scenarios: [
        { scenario: 6, name: 'Configuration mismatch', likelihood: 'possible', evidence: ['config.stale_pods'] },
      ],
    };
    const m = reportMessage(redisDown);
    expect(m.blocks[0]).toMatchObject({ status: { label: 'CRITICAL' } });
    const lead = plainText((m.blocks[1] as Extract<Block, { kind: 'section' }>).text);
    expect(lead).toBe(`${message}\n Not checked: ttl-sample, memory, eviction-policy (for that reason).`);
    expect(m.blocks.findIndex((b) => 'id' in b && b.id === 'scenarios')).toBe(2);
    expect(m.text).toMatch(
      /^Session TTL diagnosis for prod: 1 critical, 1 warning\. Redis at 127\.0\.0\.1:6390 is unreachable: it refused the connection \(ECONNREFUSED\)\. Not checked: /,
    );
    expect(m.text.indexOf('ECONNREFUSED')).toBeLessThan(m.text.indexOf('Scenario 6'));
  });

  it('never repeats the status in the fallback ("critical, 3 critical")', () => {
    const three = {
      ...report,
      checks: [],
      findings: [evictions, { ...evictions, id: 'a' }, { ...evictions, id: 'b' }],
    };
    expect(reportMessage(three).text).toMatch(/^Session TTL diagnosis for prod: 3 critical\. Most likely/);
    expect(reportMessage({ ...report, checks: [], findings: [], scenarios: [] }).text).toBe(
      'Session TTL diagnosis for prod: healthy, no findings. No runbook scenario is supported by the evidence: 0 of 0 ruled out.',
    );
  });
});

describe('evidence is folded behind the finding (issue 10 item 9)', () => {
  it('shows at most the asked number of plain pairs on one line, leaves JSON blobs to the JSON report and counts them', () => {
    const raw: Finding = {
      ...evictions,
      evidence: {
        namespace: 'langgraph-agent',
        stale: [{ pod: 'a', startedAt: '2026-11-18T08:00:05.000Z' }],
        estimates: { source: 'memory', seconds: 3 },
        pods: ['p1', 'p2', 'p3', 'p4', 'p5'],
        a: 1,
        b: 2,
        c: 3,
      },
    };
    const text = plainText(
      block(
        reportMessage({ ...report, findings: [raw] }, { maxEvidenceEntries: 4 }),
        'section',
        'finding:eviction.allkeys_policy',
      )!.text,
    );
    expect(text.split('\n').at(-1)).toBe(
      'Evidence: namespace=langgraph-agent · pods=p1, p2, p3 (+2 more) · a=1 · b=2 · +3 more in the JSON report',
    );
    expect(text).not.toContain('{');
    expect(text).not.toContain('•');
  });

  it('leaves the evidence line out when there is no evidence', () => {
    const text = plainText(
      block(
        reportMessage({ ...report, findings: [{ ...evictions, evidence: {} }] }),
        'section',
        'finding:eviction.allkeys_policy',
      )!.text,
    );
    expect(text).not.toContain('Evidence');
  });
});
