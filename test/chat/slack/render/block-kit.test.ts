import { describe, expect, it } from 'vitest';
import { t, type Block, type Inline, type Message } from '../../../../src/core/message.js';
import { SLACK_LIMITS, toBlockKit } from '../../../../src/chat/slack/render/block-kit.js';

type AnyBlock = {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { type: string; text: string | { text: string }; action_id?: string; value?: string; style?: string }[];
};
const render = (m: Message, opts = {}) => toBlockKit(m, opts) as unknown as { text: string; blocks: AnyBlock[] };
const section = (id: string, text: Inline, collapse?: { tag?: string }): Block => ({
  kind: 'section',
  id,
  text,
  ...(collapse ? { collapse } : {}),
});

describe('toBlockKit', () => {
  it('turns spans into mrkdwn with every text escaped', () => {
    const { blocks, text } = render({
      text: 'a <!channel> & b',
      blocks: [
        section('s', [
          { icon: 'critical' },
          t(' '),
          t('<!here> *x*', { bold: true }),
          t(' '),
          t('a`b<c>', { code: true }),
          t(' '),
          t('note', { italic: true }),
        ]),
      ],
    });
    // A literal * in data is code, never a second marker.
    expect(blocks[0]!.text!.text).toBe(":red_circle: *&lt;!here&gt; `*x*`* `a'b&lt;c&gt;` _note_");
    expect(text).toBe('a &lt;!channel&gt; &amp; b');
  });

  it.each([
    ['critical', ':red_circle:'],
    ['warning', ':large_orange_circle:'],
    ['info', ':large_blue_circle:'],
    ['ok', ':white_check_mark:'],
    ['healthy', ':white_check_mark:'],
    ['incomplete', ':grey_question:'],
    ['findings', ':mag:'],
    ['search', ':mag:'],
    ['error', ':x:'],
    ['skipped', ':fast_forward:'],
    ['hourglass', ':hourglass_flowing_sand:'],
  ] as const)('draws the %s icon as %s', (icon, emoji) => {
    expect(render({ text: '', blocks: [section('s', [{ icon }])] }).blocks[0]!.text!.text).toBe(emoji);
  });

  it('mentions a user group only for a well-formed Slack group id', () => {
    const mention = (group: string) =>
      render({ text: '', blocks: [section('s', [{ mentionGroup: group }, t(' look')])] }).blocks[0]!.text!.text;
    expect(mention('S0ONCALL')).toBe('<!subteam^S0ONCALL> look');
    for (const bad of ['<!channel>', 'S0ONCALL> <!channel', 'U0ABC', 's0oncall', 'S'])
      expect(mention(bad)).toBe('look');
  });

  it('writes web links as <url|label> with |, < and > encoded in the url; other schemes as the label', () => {
    const link = (url: string, label = 'see <here>') =>
      render({ text: '', blocks: [section('s', [t(label, { link: url })])] }).blocks[0]!.text!.text;
    expect(link('https://example.com/a|b>c<d e')).toBe('<https://example.com/a%7Cb%3Ec%3Cd%20e|see &lt;here&gt;>');
    expect(link('javascript:alert(1)')).toBe('see &lt;here&gt;');
    expect(link('https://x.test/', 'a|b')).toBe('<https://x.test/|a|b>');
  });

  it('turns actions into buttons whose action_id is the command and value the ref, nothing more', () => {
    const { blocks } = render({
      text: '',
      blocks: [
        {
          kind: 'actions',
          id: 'actions',
          actions: [
            { command: 'diagnose', label: 'Re-run', ref: 'prod' },
            { command: 'fix:set-eviction-policy', label: 'Apply', ref: 'p-123', style: 'danger' },
          ],
        },
      ],
    });
    expect(blocks).toEqual([
      {
        type: 'actions',
        block_id: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Re-run', emoji: true },
            action_id: 'diagnose',
            value: 'prod',
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Apply', emoji: true },
            action_id: 'fix:set-eviction-policy',
            value: 'p-123',
            style: 'danger',
          },
        ],
      },
    ]);
  });

  it('draws the header with its lead and status, cut to 150 characters', () => {
    const header = (b: Block) => render({ text: '', blocks: [b] }).blocks[0]!.text!.text;
    expect(
      header({ kind: 'header', text: 'Session TTL diagnosis: prod', status: { icon: 'critical', label: 'CRITICAL' } }),
    ).toBe('Session TTL diagnosis: prod :red_circle: CRITICAL');
    expect(header({ kind: 'header', text: 'names', lead: { icon: 'resolved', note: 'Resolved after 1 h' } })).toBe(
      '✅ Resolved after 1 h · names',
    );
    expect(header({ kind: 'header', text: 'x'.repeat(400), status: { icon: 'ok', label: 'HEALTHY' } })).toHaveLength(
      SLACK_LIMITS.headerText,
    );
  });

  it('keeps 50 blocks: collapsible sections give way to one "…and N more" line, the rest stays', () => {
    const many: Block[] = Array.from({ length: 80 }, (_, i) =>
      section(`finding:f${i}`, [t(`finding ${i}`)], { tag: i % 2 ? 'warning' : 'critical' }),
    );
    const { blocks } = render({
      text: '',
      blocks: [
        { kind: 'header', text: 'h' },
        ...many,
        { kind: 'actions', actions: [{ command: 'diagnose', label: 'Re-run', ref: 'prod' }] },
        { kind: 'context', items: [[t('checks')]] },
      ],
      overflow: { id: 'more-findings', noun: 'finding', hint: [t('Run '), t('x --json', { code: true })] },
    });
    expect(blocks).toHaveLength(50);
    expect(blocks.slice(-3).map((b) => b.type)).toEqual(['section', 'actions', 'context']);
    expect(blocks.at(-3)).toMatchObject({
      block_id: 'more-findings',
      text: { text: '…and 34 more findings (17 critical, 17 warning). Run `x --json`' },
    });
    expect(blocks[46]!.block_id).toBe('finding:f45');
  });

  it('cuts blocks that cannot collapse at the budget and says how many', () => {
    const { blocks } = render(
      { text: '', blocks: Array.from({ length: 60 }, (_, i) => section(`s${i}`, [t('x')])) },
      { maxBlocks: 10 },
    );
    expect(blocks).toHaveLength(10);
    expect(blocks.at(-1)!.text!.text).toBe('…and 51 more blocks.');
  });

  it('gives repeated and over-long ids unique block_ids within 255 characters', () => {
    const long = `finding:${'x'.repeat(400)}`;
    const ids = render({
      text: '',
      blocks: [section('a', [t('1')]), section('a', [t('2')]), section(long, [t('3')]), section(long, [t('4')])],
    }).blocks.map((b) => b.block_id!);
    expect(new Set(ids).size).toBe(4);
    expect(ids.slice(0, 2)).toEqual(['a', 'a:2']);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(SLACK_LIMITS.blockId);
  });

  it('fits a section into 3000 characters by cutting its longest text, keeping what is around it', () => {
    const text = render({
      text: '',
      blocks: [
        section('s', [
          t('Title', { bold: true }),
          t(`\n${'<'.repeat(5000)}`),
          t('\n'),
          t('Fix:', { bold: true }),
          t(' do it'),
        ]),
      ],
    }).blocks[0]!.text!.text;
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(text).toMatch(/^\*Title\*\n(&lt;)+…\n\*Fix:\* do it$/);
  });

  it('draws a chart inside the section before it, in a code block', () => {
    const { blocks } = render({
      text: '',
      blocks: [section('f', [t('dist')]), { kind: 'preformatted', id: 'chart', lines: ['<1m  ██  3'] }],
    });
    expect(blocks).toEqual([
      { type: 'section', block_id: 'f', text: { type: 'mrkdwn', text: 'dist\n```&lt;1m  ██  3```' } },
    ]);
  });

  it('keeps a context line inside 2000 characters and section fields inside ten', () => {
    const { blocks } = render({
      text: '',
      blocks: [
        { kind: 'context', items: Array.from({ length: 100 }, () => [t('y'.repeat(100))]) },
        {
          kind: 'section',
          text: [],
          fields: Array.from({ length: 12 }, (_, i) => ({ label: `L${i}`, value: [t('<v>')] })),
        },
      ],
    });
    expect((blocks[0]!.elements![0]!.text as string).length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
    expect(blocks[1]!.fields).toHaveLength(10);
    expect(blocks[1]!.fields![0]!.text).toBe('*L0*\n&lt;v&gt;');
    expect(blocks[1]!.text).toBeUndefined();
  });

  it('uses the formatted summary as the fallback text when there is one', () => {
    expect(render({ text: 'plain', summary: [t('env', { bold: true })], blocks: [] }).text).toBe('*env*');
  });
});
