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
  it('renders header, section with fields, divider, preformatted and context; buttons come later', () => {
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

  it('renders the demo report as a card Teams takes (valid 1.5, under 28 KB)', () => {
    const report = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../golden/demo-report.json'), 'utf8'),
    ) as Report;
    expect(activityViolations(cardActivity(reportMessage(report)))).toEqual([]);
  });
});
