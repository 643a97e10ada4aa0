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

describe('people and channels as Slack links (issue 18 item 2)', () => {
  it('renders channel and user spans as <#C…> / <@U…>; an id of another shape stays escaped text, never markup', () => {
    expect(
      toMrkdwn([{ text: 'only in ' }, { mentionChannel: 'C0INCIDENT' }, { text: ' by ' }, { mentionUser: 'U0SRE' }]),
    ).toBe('only in <#C0INCIDENT> by <@U0SRE>');
    expect(toMrkdwn([{ mentionChannel: 'G0PRIVATE' }])).toBe('<#G0PRIVATE>');
    expect(toMrkdwn([{ mentionChannel: '!channel>' }])).toBe('#!channel&gt;');
    // Text that merely looks like a reference is data: escaped, so it never links or pings.
    expect(toMrkdwn([{ text: '<#C0INCIDENT> <@U0SRE>' }])).toBe('&lt;#C0INCIDENT&gt; &lt;@U0SRE&gt;');
  });
});
