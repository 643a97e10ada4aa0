import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { botConnector, type OutgoingMessage } from '../../../src/chat/teams/bot-connector.js';
import { ChatError } from '../../../src/core/ports/chat.js';
import { startFakeBotConnector, type FakeBotConnector } from '../../fakes/bot-connector.js';
import { captureLogs, type CapturedLogs } from '../slack/log-capture.js';

const TOKEN = 'secret-outgoing-token';
const message: OutgoingMessage = { type: 'message', summary: 'hello', attachments: [] };

describe('botConnector (the Bot Connector REST API, against the fake on loopback)', () => {
  let fake: FakeBotConnector;
  let logs: CapturedLogs;
  let waits: number[];
  let connector: ReturnType<typeof botConnector>;

  beforeAll(async () => {
    fake = await startFakeBotConnector();
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.calls.length = 0;
    logs = captureLogs();
    waits = [];
    connector = botConnector({
      token: () => Promise.resolve(TOKEN),
      logger: logs.logger,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
  });
  const to = () => ({ serviceUrl: fake.serviceUrl, conversationId: '19:ops@thread.tacv2' });

  it('sends to the conversation, then updates that activity in place (PUT) with the outgoing token', async () => {
    const sent = await connector.send(to(), message);
    await connector.update({ ...to(), activityId: sent.id! }, { ...message, summary: 'updated' });
    expect(fake.calls.map((c) => [c.kind, c.method, c.activityId])).toEqual([
      ['send', 'POST', undefined],
      ['update', 'PUT', sent.id],
    ]);
    expect(fake.calls[1]!.path).toBe(`/teams/v3/conversations/19%3Aops%40thread.tacv2/activities/${sent.id}`);
    expect(fake.calls[1]!.body).toMatchObject({ id: sent.id, summary: 'updated' });
    expect(fake.calls.every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  const refusals: [number, ChatError['kind']][] = [
    [401, 'refused'],
    [403, 'not_in_channel'],
    [404, 'not_in_channel'],
    [502, 'unavailable'],
  ];
  it.each(refusals)('HTTP %i is a ChatError %s, not retried, logged without the token', async (status, kind) => {
    fake.failNext({ status });
    const err = await connector.update({ ...to(), activityId: 'a1' }, message).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatError);
    expect(err).toMatchObject({ kind, code: `connector_http_${status}` });
    expect(fake.calls).toHaveLength(1);
    expect(logs.lines.find((l) => l.msg === 'Bot Connector refused the activity')).toMatchObject({ status });
    expect(logs.raw()).not.toContain(TOKEN);
  });

  it('a 429 is retried once after its Retry-After; a second 429 is `unavailable`', async () => {
    fake.failNext({ status: 429, headers: { 'retry-after': '3' } }, { status: 429, headers: { 'retry-after': '3' } });
    const err = await connector.send(to(), message).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'connector_http_429' });
    expect(waits).toEqual([3000]);
    expect(fake.calls).toHaveLength(2);
    expect(fake.taken()).toHaveLength(0);
    expect(logs.raw()).not.toContain(TOKEN);
  });

  it('a Retry-After beyond the longest wait is not waited for', async () => {
    fake.failNext({ status: 429, headers: { 'retry-after': '600' } });
    const err = await connector.send(to(), message).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'connector_http_429' });
    expect(waits).toEqual([]);
    expect(fake.calls).toHaveLength(1);
  });
});
