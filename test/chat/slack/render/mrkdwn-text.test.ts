import { describe, expect, it } from 'vitest';
import { toMrkdwn } from '../../../../src/chat/slack/render/mrkdwn-text.js';
import { emphasisViolations } from '../../../fakes/block-kit-limits.js';

describe('bold and italic as Slack renders them (issue 18 item 1)', () => {
  it.each([
    [
      [
        { text: 'Change: ', bold: true },
        { text: 'CONFIG SET maxmemory-policy volatile-lru', code: true },
      ],
      '*Change:* `CONFIG SET maxmemory-policy volatile-lru`',
    ],
    [[{ icon: 'warning' as const }, { text: ' Warnings', bold: true }], ':large_orange_circle: *Warnings*'],
    [
      [{ icon: 'ok' as const }, { text: ' Applied set-eviction-policy in stage. ', bold: true }],
      ':white_check_mark: *Applied set-eviction-policy in stage.* ',
    ],
    [[{ text: ' also ', italic: true }], ' _also_ '],
    [[{ text: '   ', bold: true }, { text: 'x' }], '   x'],
  ])('keeps the markers against the text: %j', (inline, expected) => {
    const mrkdwn = toMrkdwn(inline);
    expect(mrkdwn).toBe(expected.trimStart());
    expect(emphasisViolations('text', mrkdwn)).toEqual([]);
  });

  it('shows a word with a literal * (a key pattern) as code, so it cannot pair with the next marker', () => {
    const mrkdwn = toMrkdwn([{ text: '7 keys matching session:* have no TTL. ' }, { text: 'Fix:', bold: true }]);
    expect(mrkdwn).toBe('7 keys matching `session:*` have no TTL. *Fix:*');
    expect(emphasisViolations('text', mrkdwn)).toEqual([]);
  });

  it('the fake Slack flags what the old renderer sent', () => {
    for (const bad of [
      '*Change: *`CONFIG SET x`',
      ':large_orange_circle:* Warnings*',
      'keys matching session:* then *Fix:*',
    ]) {
      expect(emphasisViolations('text', bad), bad).not.toEqual([]);
    }
  });
});
