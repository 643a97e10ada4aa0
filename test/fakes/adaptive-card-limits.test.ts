import { describe, expect, it } from 'vitest';
import { activityViolations, cardViolations } from './adaptive-card-limits.js';

const card = (body: unknown[], version = '1.5') => ({ type: 'AdaptiveCard', version, body });

describe('the Adaptive Card validator of the fake Bot Connector', () => {
  it('accepts a plain 1.5 card', () => {
    expect(cardViolations(card([{ type: 'TextBlock', text: 'hi', size: 'Large' }]))).toEqual([]);
  });

  it('refuses another version, an empty body, unknown elements, bad enum values and non-TextRun inlines', () => {
    expect(cardViolations(card([{ type: 'TextBlock', text: 'hi' }], '1.6'))).toEqual(['version is 1.6, expected 1.5']);
    expect(cardViolations(card([]))).toEqual(['body is empty']);
    expect(cardViolations(card([{ type: 'Marquee' }]))).toEqual(['body[0]: unknown element type Marquee']);
    expect(cardViolations(card([{ type: 'TextBlock', text: 'x', color: 'red' }]))).toEqual([
      'body[0].color: red is not one of Default|Dark|Light|Accent|Good|Warning|Attention',
    ]);
    expect(cardViolations(card([{ type: 'RichTextBlock', inlines: ['x'] }]))).toEqual([
      'body[0].inlines[0]: a RichTextBlock inline must be a TextRun',
    ]);
    expect(cardViolations(card([{ type: 'FactSet', facts: [{ title: 'a', value: 1 }] }]))).toEqual([
      'body[0].facts[0]: title and value must be strings',
    ]);
  });

  it('refuses a message over 28 KB', () => {
    const big = {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: card([{ type: 'TextBlock', text: 'x'.repeat(29 * 1024) }]),
        },
      ],
    };
    expect(activityViolations(big)).toEqual([expect.stringMatching(/^the message is \d+ bytes, over 28 KB$/)]);
  });
});
