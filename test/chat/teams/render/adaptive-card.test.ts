import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardActivity } from '../../../../src/chat/teams/command-context.js';
import { adaptiveCard } from '../../../../src/chat/teams/render/adaptive-card.js';
import { t, type Message } from '../../../../src/core/message.js';
import type { Report } from '../../../../src/diagnostics/types.js';
import { reportMessage } from '../../../../src/render/report-message.js';
import { activityViolations, cardViolations } from '../../../fakes/adaptive-card-limits.js';

const message: Message = {
  text: 'Session TTL diagnosis for prod: critical',
  blocks: [
    {
      kind: 'header',
      text: 'Session TTL diagnosis: prod',
      tone: 'critical',
      status: { icon: 'critical', label: 'CRITICAL' },
    },
    {
      kind: 'section',
      text: [
        { icon: 'warning' },
        t(' Redis is '),
        t('evicting', { bold: true }),
        t(' run '),
        t('CONFIG GET', { code: true }),
        t(' see '),
        t('runbook', { link: 'https://runbooks.example/ttl' }),
      ],
      fields: [{ label: 'maxmemory-policy', value: [t('allkeys-lru', { code: true })] }],
    },
    { kind: 'divider' },
    { kind: 'preformatted', lines: ['0-1h  ████ 40%', '1-2h  ██   20%'] },
    { kind: 'context', items: [[t('ran in 1.0 s')], [{ mentionGroup: 'oncall' }]] },
    { kind: 'actions', actions: [{ command: 'diagnose', label: 'Re-run', ref: 'prod' }] },
  ],
};

describe('adaptiveCard (neutral message -> Adaptive Card 1.5)', () => {
  it('renders header, section with fields, divider, preformatted, context and buttons (Action.Execute)', () => {
    const card = adaptiveCard(message);
    expect(cardViolations(card)).toEqual([]);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5', fallbackText: message.text });
    expect(card.body).toEqual([
      {
        type: 'TextBlock',
        text: 'Session TTL diagnosis: prod  🔴 CRITICAL',
        size: 'Large',
        weight: 'Bolder',
        wrap: true,
        color: 'Attention',
      },
      {
        type: 'RichTextBlock',
        inlines: [
          { type: 'TextRun', text: '🟠' },
          { type: 'TextRun', text: ' Redis is ' },
          { type: 'TextRun', text: 'evicting', weight: 'Bolder' },
          { type: 'TextRun', text: ' run ' },
          { type: 'TextRun', text: 'CONFIG GET', fontType: 'Monospace' },
          { type: 'TextRun', text: ' see ' },
          {
            type: 'TextRun',
            text: 'runbook',
            selectAction: { type: 'Action.OpenUrl', url: 'https://runbooks.example/ttl' },
          },
        ],
      },
      { type: 'FactSet', facts: [{ title: 'maxmemory-policy', value: 'allkeys-lru' }] },
      {
        type: 'RichTextBlock',
        inlines: [{ type: 'TextRun', text: '0-1h  ████ 40%\n1-2h  ██   20%', fontType: 'Monospace' }],
        separator: true,
      },
      {
        type: 'RichTextBlock',
        inlines: [
          { type: 'TextRun', text: 'ran in 1.0 s', isSubtle: true, size: 'Small' },
          { type: 'TextRun', text: '  ·  ', isSubtle: true, size: 'Small' },
          { type: 'TextRun', text: '@oncall', weight: 'Bolder', isSubtle: true, size: 'Small' },
        ],
        spacing: 'Small',
      },
      {
        type: 'ActionSet',
        actions: [{ type: 'Action.Execute', title: 'Re-run', verb: 'diagnose', data: { ref: 'prod' } }],
      },
    ]);
  });

  it('keeps markup in text literal (TextRuns are not markdown)', () => {
    const card = adaptiveCard({
      text: 'x',
      blocks: [{ kind: 'section', text: [t('**not bold** <at>x</at> [a](b)')] }],
    });
    expect(card.body[0]).toEqual({
      type: 'RichTextBlock',
      inlines: [{ type: 'TextRun', text: '**not bold** <at>x</at> [a](b)' }],
    });
  });

  it('renders the demo report as a card Teams takes (valid 1.5, under 28 KB), nothing left out', () => {
    const activity = cardActivity(reportMessage(demoReport()));
    expect(activityViolations(activity)).toEqual([]);
    expect(JSON.stringify(activity)).not.toContain('Shortened');
    expect(JSON.stringify(activity)).toContain('Evidence:');
  });

  it('renders buttons as Action.Execute: the command as verb, only the opaque ref as data, rows of five', () => {
    const fix = (i: number) => ({ command: `fix:a${i}`, label: `Fix ${i}`, ref: `offer-${i}` });
    const card = adaptiveCard({
      text: 'x',
      blocks: [
        {
          kind: 'actions',
          actions: [
            { command: 'fix:set-eviction-policy', label: 'Set volatile-lru', ref: 'offer-1', style: 'primary' },
            { command: 'revert', label: 'Revert', ref: 'rev-1', style: 'danger' },
            ...[3, 4, 5, 6].map(fix),
          ],
        },
      ],
    });
    expect(cardViolations(card)).toEqual([]);
    expect(card.body.map((b) => (b.actions as unknown[]).length)).toEqual([5, 1]);
    expect((card.body[0]!.actions as unknown[]).slice(0, 2)).toEqual([
      {
        type: 'Action.Execute',
        title: 'Set volatile-lru',
        verb: 'fix:set-eviction-policy',
        data: { ref: 'offer-1' },
        style: 'positive',
      },
      { type: 'Action.Execute', title: 'Revert', verb: 'revert', data: { ref: 'rev-1' }, style: 'destructive' },
    ]);
    expect(card.refresh).toBeUndefined();
  });
});

describe('adaptiveCard size budget (Teams takes messages under 28 KB)', () => {
  const sizeOf = (card: unknown) => Buffer.byteLength(JSON.stringify(card));
  const findingIds = (card: unknown) =>
    [...JSON.stringify(card).matchAll(/"text":"([a-z_]+\.[a-z_0-9]+)"/g)].map((m) => m[1]);

  it('folds the evidence first when that is enough, and says so under the header', () => {
    const message = reportMessage(demoReport());
    const full = adaptiveCard(message);
    const card = adaptiveCard(message, { maxBytes: sizeOf(full) - 200 });
    expect(sizeOf(card)).toBeLessThanOrEqual(sizeOf(full) - 200);
    const text = JSON.stringify(card);
    expect(text).not.toContain('Evidence:');
    expect(text).toContain("Shortened to fit Teams' 28 KB message limit: the evidence of ");
    expect(text).not.toContain('lower-severity');
    // Every finding is still there
    expect(findingIds(card)).toEqual(findingIds(full));
  });

  it('summarises lower-severity findings of a report far over 28 KB, keeps the critical ones', () => {
    // Given a report of 80 findings with long details (about 150 KB as a card)
    const report = demoReport();
    const findings = Array.from({ length: 8 }, (_, i) =>
      report.findings.map((f) => ({ ...f, id: `${f.id}_${i}`, detail: `${f.detail ?? ''} ${'x'.repeat(1200)}` })),
    ).flat();
    const message = reportMessage({ ...report, findings });
    expect(sizeOf(adaptiveCard(message, { maxBytes: 10_000_000 }))).toBeGreaterThan(100_000);

    // When it is sent to Teams
    const activity = cardActivity(message);

    // Then it is under the limit, valid, and says what was left out
    expect(activityViolations(activity)).toEqual([]);
    const text = JSON.stringify(activity);
    expect(text).toContain(
      "Shortened to fit Teams' 28 KB message limit: the evidence of 80 findings folded; 71 lower-severity findings summarised.",
    );
    // After the last finding shown
    expect(text).toMatch(/escalation\.severe_1"[^…]*…and 71 more findings \(39 critical, 24 warning, 8 info\)\. /);
    expect(text).toContain('session-ttl diagnose demo --json');
    // The lowest severities gave way first: no info or warning finding is shown while a critical one is left out
    const shown = new Set(findingIds(activity.attachments[0]!.content));
    const kept = findings.filter((f) => shown.has(f.id));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((f) => f.severity === 'critical')).toBe(true);
  });
});

function demoReport(): Report {
  return JSON.parse(readFileSync(join(import.meta.dirname, '../../../golden/demo-report.json'), 'utf8')) as Report;
}
