import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeBotConnector } from '../../../fakes/bot-connector.js';
import { FAKE_APP_ID, FAKE_TENANT_ID, type FakeTeamsTokenIssuer } from '../../../fakes/teams-token-issuer.js';
import type { TestBot } from '../../../support/bot-harness.js';
import {
  cardOf,
  corpusPost,
  INCIDENT_CHANNEL,
  seedSessions,
  sendSigned,
  startTeamsAlertBot,
  type TeamsAlertBot,
} from './teams-alert-harness.js';

describe('Alert posts by other bots in a Teams incident channel (issue 22, alerts)', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let running: TestBot;
  let redis: Redis;
  let bot: TeamsAlertBot;
  const post = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await sendSigned(running, issuer, corpusPost(connector.serviceUrl, name, extra));
    expect(res.status).toBe(200);
    return [...connector.calls];
  };

  beforeAll(async () => {
    bot = await startTeamsAlertBot();
    ({ issuer, connector, running, redis } = bot);
  });
  afterAll(() => bot?.close());
  beforeEach(async () => {
    await seedSessions(redis);
    connector.calls.length = 0;
    running.logs.lines.length = 0;
  });

  it("Alertmanager's msteams card from an incoming webhook: the diagnosis in its thread, posted once", async () => {
    // When Alertmanager's Teams receiver posts its MessageCard in the incident channel
    const calls = await post('alertmanager-msteams-firing');
    // Then the diagnosis of prod is a reply in that post's thread
    expect(calls).toHaveLength(1);
    const [reply] = calls;
    expect(reply).toMatchObject({ kind: 'reply', activityId: '1718032100123', status: 200 });
    expect(reply!.conversationId).toBe(`${INCIDENT_CHANNEL};messageid=1718032100123`);
    expect(String(reply!.body.summary)).toMatch(/^Session TTL diagnosis for prod: /);
    expect(cardOf(reply!)).toContain('ttl.no_expiry');
    expect(cardOf(reply!)).toContain('Automatic diagnosis for the alert ');
    expect(reply!.violations).toEqual([]);
    // When Teams delivers the same post again, nothing more is posted
    expect(await post('alertmanager-msteams-firing')).toHaveLength(1);
    expect(running.logs.lines.some((l) => l.msg === 'alert post already answered; not replying again')).toBe(true);
  });

  it("Grafana's card for the same alert within the cooldown: a link to the earlier diagnosis (a Teams deep link)", async () => {
    await post('alertmanager-msteams-firing');
    connector.calls.length = 0;
    const [reply, ...rest] = await post('grafana-firing');
    expect(rest).toEqual([]);
    expect(reply!.conversationId).toBe(`${INCIDENT_CHANNEL};messageid=1718032400222`);
    const card = cardOf(reply!);
    // The earlier diagnosis was reply activity-1 in the thread of 1718032100123.
    const link =
      `https://teams.microsoft.com/l/message/${encodeURIComponent(INCIDENT_CHANNEL)}/activity-1?tenantId=` +
      `${FAKE_TENANT_ID}&parentMessageId=1718032100123`;
    expect(card).toContain(link);
    // The hint is typed the Teams way.
    expect(card).toContain('@session-ttl diagnose prod');
    expect(reply!.violations).toEqual([]);
  });

  it("prometheus-msteams' workflow card (an Adaptive Card from a workflow) gets its diagnosis too", async () => {
    const [reply, ...rest] = await post('prometheus-msteams-workflow');
    expect(rest).toEqual([]);
    expect(String(reply!.body.summary)).toMatch(/^Session TTL diagnosis for dev: /);
    expect(reply!.violations).toEqual([]);
  });

  it('a malformed card is ignored with a debug log, and nothing is posted', async () => {
    expect(await post('garbage-card')).toEqual([]);
    const logged = running.logs.lines.find((l) => l.msg === 'message in a Teams incident channel is not an alert post');
    expect(logged).toMatchObject({ level: 20, channel: INCIDENT_CHANNEL, ts: '1718032700555' });
  });

  it("a person's message there is left alone: not an alert, and not a command either", async () => {
    expect(await post('person-chatter')).toEqual([]);
    expect(running.logs.lines.some((l) => /not an alert post/.test(String(l.msg)))).toBe(true);
  });

  it('a message that @mentions the bot there is a command, answered as one', async () => {
    const mention = { type: 'mention', mentioned: { id: `28:${FAKE_APP_ID}` }, text: '<at>session-ttl</at>' };
    const calls = await post('person-chatter', { text: '<at>session-ttl</at> envs', entities: [mention] });
    expect(calls.map((c) => c.kind)).toEqual(['reply']);
    expect(String(calls[0]!.body.summary)).toContain('prod — production');
  });
});
