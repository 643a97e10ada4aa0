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
    expect(fake.calls[1]!.path).toBe(`/teams/v3/conversations/19:ops@thread.tacv2/activities/${sent.id}`);
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

  it('goes through the Microsoft 365 Agents SDK: its ConnectorClient sends, with its User-Agent', async () => {
    await connector.replyTo({ ...to(), conversationId: '19:ops@thread.tacv2;messageid=17', activityId: '17' }, message);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({
      kind: 'reply',
      conversationId: '19:ops@thread.tacv2;messageid=17',
      activityId: '17',
    });
    expect(fake.calls[0]!.userAgent).toMatch(/^agents-sdk-js\/1\.\d+\.\d+ /);
    expect(fake.calls[0]!.body).toMatchObject({ type: 'message', summary: 'hello', replyToId: '17' });
  });

  it('an id that would leave its URL segment is refused before any call', async () => {
    for (const conversationId of ['19:a/../../v3/teams/x', '19:a?b=1', '19:a#b']) {
      const err = await connector
        .send({ serviceUrl: fake.serviceUrl, conversationId }, message)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'refused', code: 'connector_bad_id' });
    }
    expect(fake.calls).toHaveLength(0);
  });

  it('a connector that does not answer in time is `unavailable` (the SDK sets no deadline; ours does)', async () => {
    const quick = botConnector({ token: () => Promise.resolve(TOKEN), logger: logs.logger, timeoutMs: 150 });
    fake.failNext({ status: 200, delayMs: 3000 });
    const started = Date.now();
    const err = await quick.send(to(), message).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'connector_unreachable' });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(logs.lines.find((l) => l.msg === 'Bot Connector unreachable')).toBeDefined();
    expect(logs.raw()).not.toContain(TOKEN);
  });

  it('a serviceUrl where nothing listens is `unavailable`', async () => {
    const err = await connector
      .send({ serviceUrl: 'http://127.0.0.1:9/teams/', conversationId: '19:ops@thread.tacv2' }, message)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'connector_unreachable' });
  });
});
