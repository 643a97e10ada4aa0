import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBotConnector } from '../../../fakes/bot-connector.js';
import type { FakeTeamsTokenIssuer } from '../../../fakes/teams-token-issuer.js';
import type { TestBot } from '../../../support/bot-harness.js';
import { eventually } from '../../../support/eventually.js';
import { scrape } from '../../../monitor/scrape.js';
import { corpusPost, seedSessions, sendSigned, startTeamsAlertBot, type TeamsAlertBot } from './teams-alert-harness.js';

// Teams has an outbox of its own: a diagnosis reply the Bot Connector refuses for now (an outage: 503) is kept
// in the state store and posted later, once, instead of being lost; `/metrics` counts it under `platform="teams"`.
describe('the Teams outbox (issue 22, alerts)', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let running: TestBot;
  let redis: Redis;
  let bot: TeamsAlertBot;

  beforeAll(async () => {
    bot = await startTeamsAlertBot({}, { outbox: { delaysMs: [200, 200], pollMs: 50 }, metrics: new Registry() });
    ({ issuer, connector, running, redis } = bot);
  });
  afterAll(() => bot?.close());

  it('posts a refused diagnosis reply later, once, in the alert post thread', async () => {
    await seedSessions(redis);
    connector.calls.length = 0;
    // Given: the connector refuses the next call (Teams is down)
    connector.failNext({ status: 503 });

    // When: another bot's alert card arrives in the incident channel
    const res = await sendSigned(running, issuer, corpusPost(connector.serviceUrl, 'alertmanager-msteams-firing'));
    expect(res.status).toBe(200);

    // Then: the refused reply is kept, and posted once the outbox tries again
    expect(connector.calls.map((c) => c.status)).toEqual([503]);
    const taken = await eventually('the kept reply to be posted', () => {
      const ok = connector.taken().filter((c) => c.kind === 'reply');
      return ok.length ? ok : undefined;
    });
    expect(taken).toHaveLength(1);
    expect(taken[0]!.activityId).toBe('1718032100123');
    expect(String(taken[0]!.body.summary)).toMatch(/^Session TTL diagnosis for prod: /);
    const said = running.logs.lines.map((l) => l.msg);
    expect(said).toContain('Teams refused a message; kept it to post later');
    await eventually('the outbox to say it posted', () =>
      running.logs.lines.some((l) => l.msg === 'posted a message that Teams had refused earlier'),
    );
    // And: the outbox's later rounds (every 50 ms) post nothing more
    const before = connector.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(connector.calls.slice(before)).toEqual([]);
    // And: /metrics counts the kept reply and its delivery as Teams', as Slack's outbox counts its own
    const sample = await scrape(Number(new URL(running.url).port));
    const outbox = (platform: string, outcome: string) =>
      sample('session_ttl_bot_chat_outbox_total', { platform, outcome, kind: 'alert-reply' });
    expect([outbox('teams', 'queued'), outbox('teams', 'delivered'), outbox('teams', 'given_up')]).toEqual([1, 1, 0]);
    expect(outbox('slack', 'queued')).toBe(0);
  });
});
