import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ackViolations,
  BLOCK_KIT_LIMITS as L,
  messageViolations,
  takeRecordedViolations,
  viewViolations,
} from './block-kit-limits.js';
import { startFakeSlackApi, type FakeSlackApi } from './slack-api.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (text: string, value = 'v', action_id = 'a') => ({
  type: 'button',
  text: { type: 'plain_text', text },
  value,
  action_id,
});
const message = (blocks: unknown[], text = 'fallback') => ({ text, blocks });
const view = (over: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Preview the change' },
  blocks: [section('ok')],
  ...over,
});

describe("the fake Slack's Block Kit limits", () => {
  it('accept a message and a view within every limit', () => {
    expect(messageViolations(message([section('x'.repeat(L.sectionText))]))).toEqual([]);
    expect(viewViolations(view({ private_metadata: 'p'.repeat(L.privateMetadata) }))).toEqual([]);
  });

  it.each([
    ['blocks per message', message(Array.from({ length: L.messageBlocks + 1 }, () => section('x'))), /51 > 50 blocks/],
    ['section text', message([section('x'.repeat(L.sectionText + 1))]), /3001 > 3000/],
    [
      'fields count and length',
      message([
        {
          type: 'section',
          fields: Array.from({ length: 11 }, (_, i) => ({ type: 'mrkdwn', text: i ? 'f' : 'x'.repeat(2001) })),
        },
      ]),
      /fields: 11 > 10[\s\S]*2001 > 2000/,
    ],
    ['header text', message([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }]), /151 > 150/],
    ['button text', message([{ type: 'actions', elements: [button('b'.repeat(76))] }]), /76 > 75/],
    ['button value', message([{ type: 'actions', elements: [button('b', 'v'.repeat(2001))] }]), /2001 > 2000/],
    [
      'ids: length and uniqueness',
      message([
        { ...section('a'), block_id: 'same' },
        { ...section('b'), block_id: 'same' },
        { type: 'actions', elements: [button('b', 'v', 'x'.repeat(256))] },
      ]),
      /"same" is not unique[\s\S]*256 > 255/,
    ],
    ['empty text object', message([section('')]), /empty text object/],
    ['text beside blocks', message([section('x')], ''), /top-level text/],
  ])('refuse %s', (_name, payload, expected) => {
    expect(messageViolations(payload).join('\n')).toMatch(expected);
  });

  it.each([
    ['blocks per view', view({ blocks: Array.from({ length: L.viewBlocks + 1 }, () => section('x')) }), /101 > 100/],
    ['modal title', view({ title: { type: 'plain_text', text: 't'.repeat(25) } }), /25 > 24/],
    ['private_metadata', view({ private_metadata: 'p'.repeat(3001) }), /3001 > 3000/],
    ['title as mrkdwn', view({ title: { type: 'mrkdwn', text: 'x' } }), /must be plain_text/],
    [
      'inputs without a submit button',
      view({
        blocks: [
          {
            type: 'input',
            label: { type: 'plain_text', text: 'Policy' },
            element: { type: 'plain_text_input', action_id: 'v' },
          },
        ],
      }),
      /needs a submit button/,
    ],
  ])('refuse a view with %s', (_name, payload, expected) => {
    expect(viewViolations(payload).join('\n')).toMatch(expected);
  });

  it('check a response_action view in an ack', () => {
    expect(
      ackViolations({ response_action: 'update', view: view({ title: { type: 'plain_text', text: '' } }) }),
    ).toEqual(['view.title.text: empty text object']);
  });

  describe('through the real WebClient', () => {
    let slack: FakeSlackApi;
    beforeAll(async () => {
      slack = await startFakeSlackApi();
    });
    afterAll(() => slack.close());

    it('answers invalid_blocks as the real Slack does, and records the violation for the suite', async () => {
      const client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
      const err = await client.chat
        .postMessage({ channel: 'C1', text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: '' } }] })
        .catch((e: { data?: { error?: string } }) => e);
      expect(err).toMatchObject({ data: { error: 'invalid_blocks' } });
      expect(slack.violations).toEqual([
        { method: 'chat.postMessage', violations: ['blocks[0].text.text: empty text object'] },
      ]);
      // Taken here, so the suite-wide check (test/support/block-kit-setup.ts) does not fail this test.
      expect(takeRecordedViolations()).toEqual(['fake Slack chat.postMessage: blocks[0].text.text: empty text object']);
      await expect(
        client.chat.postMessage({ channel: 'C1', text: 'fine', blocks: [section('ok')] }),
      ).resolves.toMatchObject({
        ok: true,
      });
    });
  });
});
