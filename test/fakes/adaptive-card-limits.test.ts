import { describe, expect, it } from 'vitest';
import { activityViolations, cardViolations, invokeAnswerViolations } from './adaptive-card-limits.js';

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

  it('checks Action.Execute (verb, data under 1 KB, style), inputs and the refresh (at most 60 users)', () => {
    const execute = (extra: object) => ({
      type: 'Action.Execute',
      title: 'Go',
      verb: 'approve',
      data: { ref: 'p1' },
      ...extra,
    });
    const set = (...actions: unknown[]) => card([{ type: 'ActionSet', actions }]);
    expect(cardViolations(set(execute({ style: 'positive' }), { type: 'Action.OpenUrl', url: 'https://x' }))).toEqual(
      [],
    );
    expect(cardViolations(set(execute({ verb: '' })))).toEqual(['body[0].actions[0].verb: missing']);
    expect(cardViolations(set(execute({ data: { ref: 'x'.repeat(1100) } })))).toEqual([
      'body[0].actions[0].data: 1110 bytes, over 1024',
    ]);
    expect(cardViolations(set(execute({ style: 'primary' })))).toEqual([
      'body[0].actions[0].style: primary is not one of default|positive|destructive',
    ]);
    expect(cardViolations(set({ type: 'Action.Submit', data: {} }))).toEqual([
      'body[0].actions[0]: Action.Submit is not Action.Execute or Action.OpenUrl',
    ]);
    expect(cardViolations(card([{ type: 'ActionSet', actions: [] }]))).toEqual(['body[0].actions: no actions']);
    expect(cardViolations(card([{ type: 'Input.ChoiceSet', id: 'param:p', choices: [] }]))).toEqual([
      'body[0].label: missing',
      'body[0].choices: empty',
    ]);
    const refreshed = (userIds: string[]) => ({
      ...card([{ type: 'TextBlock', text: 'x' }]),
      refresh: { action: execute({}), userIds },
    });
    expect(cardViolations(refreshed(['29:1a2b-c3']))).toEqual([]);
    expect(cardViolations(refreshed(Array.from({ length: 61 }, (_, i) => `29:u${i}`)))).toEqual([
      'refresh.userIds: 61 users, over 60',
    ]);
    // Teams documents user MRIs there, not Entra object ids
    expect(cardViolations(refreshed(['29:1a2b-c3', '00000000-0000-4000-8000-000000000002']))).toEqual([
      'refresh.userIds[1]: 00000000-0000-4000-8000-000000000002 is not a Teams user id (MRI, 29:…)',
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

  it('refuses text beside a card (Teams would show the words twice); a summary is fine', () => {
    const attachments = [
      { contentType: 'application/vnd.microsoft.card.adaptive', content: card([{ type: 'TextBlock', text: 'hi' }]) },
    ];
    expect(activityViolations({ type: 'message', text: 'hi', attachments })).toEqual([
      'the message has both text and a card: Teams would show the text above the card',
    ]);
    expect(activityViolations({ type: 'message', summary: 'hi', attachments })).toEqual([]);
  });

  it("holds cards to Microsoft's Adaptive Cards parser too: what our own checks do not look at", () => {
    const odd = card([
      { type: 'TextBlock', text: 'x', horizontalAlignment: 'middle' },
      { type: 'Input.Text', id: 'reason', label: 'Reason' },
      { type: 'Input.Text', id: 'reason', label: 'Again' },
    ]);
    const attachments = [{ contentType: 'application/vnd.microsoft.card.adaptive', content: odd }];
    expect(activityViolations({ type: 'message', summary: 's', attachments })).toEqual([
      'attachments[0]: adaptivecards parser: InvalidPropertyValue: Invalid value "middle" for property "horizontalAlignment".',
      'attachments[0]: adaptivecards parser: DuplicateId: Duplicate Id "reason".',
    ]);
    const required = card([
      { type: 'Input.ChoiceSet', id: 'n', label: 'N', isRequired: true, choices: [{ title: 'a', value: 'a' }] },
    ]);
    expect(
      invokeAnswerViolations({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: required }),
    ).toEqual([
      'adaptivecards parser: RequiredInputsShouldHaveErrorMessage: Required inputs should have an error message',
    ]);
    expect(
      invokeAnswerViolations({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'ok' }),
    ).toEqual([]);
  });
});
