import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackChat } from '../../../src/chat/slack/slack-chat.js';
import { ChatError, type ChatPort } from '../../../src/core/ports/chat.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';

const CHANNEL = 'C07FIND';
const keyed = (key: string, eventType = 'session_ttl_bot_post') => ({
  event_type: eventType,
  event_payload: { key },
});
/** A Slack ts `secondsAgo` before now, unique per call. */
let seq = 0;
const tsAgo = (secondsAgo: number) => `${Math.floor(Date.now() / 1000) - secondsAgo}.${String(++seq).padStart(6, '0')}`;

describe('findPosted: a keyed post looked up in the channel or thread, with the real WebClient', () => {
  let slack: FakeSlackApi;
  let chat: ChatPort;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    const client = new webApi.WebClient('xoxb-find-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    chat = slackChat({ client });
  });
  afterAll(async () => {
    await slack?.close();
  });
  beforeEach(() => slack.reset());

  it('reads the channel newest first, page after page, and finds the post by its key', async () => {
    // Given: the post, then 250 newer messages (more than one page of 200).
    slack.addMessage({ channel: CHANNEL, ts: tsAgo(600), text: 'the one', metadata: keyed('k1') });
    for (let i = 0; i < 250; i++) slack.addMessage({ channel: CHANNEL, ts: tsAgo(300), text: `other ${i}` });
    const [posted] = slack.messagesIn(CHANNEL);

    const found = await chat.findPosted({ channel: CHANNEL, key: 'k1', sinceMs: Date.now() - 3_600_000 });

    expect(found).toEqual({ channel: CHANNEL, ts: posted!.ts });
    const calls = slack.callsOf('conversations.history');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.body).toMatchObject({ channel: CHANNEL, include_all_metadata: 'true', limit: '200' });
    expect(calls[1]!.body.cursor).toBe('200');
  });

  it('reads a thread with conversations.replies; another key, another event type or an older post is not it', async () => {
    const parent = slack.addMessage({ channel: CHANNEL, ts: tsAgo(7200), text: 'alert post' });
    const reply = (text: string, metadata: Record<string, unknown>, ago = 60) =>
      slack.addMessage({ channel: CHANNEL, ts: tsAgo(ago), thread_ts: parent.ts, text, metadata });
    reply('other key', keyed('k-other'));
    reply('other app', keyed('k2', 'someone_elses_event'));
    const mine = reply('mine', keyed('k2'));
    reply('too old', keyed('k3'), 7000);

    const q = { channel: CHANNEL, threadTs: parent.ts };
    expect(await chat.findPosted({ ...q, key: 'k2' })).toEqual({ channel: CHANNEL, ts: mine.ts });
    expect(await chat.findPosted({ ...q, key: 'k3', sinceMs: Date.now() - 600_000 })).toBeUndefined();
    expect(await chat.findPosted({ ...q, key: 'k-missing' })).toBeUndefined();
    expect(slack.callsOf('conversations.replies')[0]!.body).toMatchObject({
      ts: parent.ts,
      include_all_metadata: 'true',
    });
    expect(slack.callsOf('conversations.history')).toEqual([]);
  });

  it('rejects with a ChatError when Slack cannot be read (nobody knows whether the post is there)', async () => {
    slack.failMethodHttp('conversations.history', 503);
    const err = await chat.findPosted({ channel: CHANNEL, key: 'k' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'http_503' });
  });

  it('a keyed post carries its key in the message metadata; an unkeyed one carries none', async () => {
    const message = { text: 'hello', blocks: [] };
    await chat.post({ channel: CHANNEL, message, key: 'k-post' });
    await chat.post({ channel: CHANNEL, message });
    const [withKey, without] = slack.callsOf('chat.postMessage');
    expect(withKey!.body.metadata).toEqual(keyed('k-post'));
    expect(without!.body.metadata).toBeUndefined();
  });
});
