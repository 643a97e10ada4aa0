import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../../alerts/corpus.js';
import type { FakeBotConnector } from '../../../fakes/bot-connector.js';
import { FAKE_TENANT_ID, type FakeTeamsTokenIssuer } from '../../../fakes/teams-token-issuer.js';
import type { TestBot } from '../../../support/bot-harness.js';
import {
  ALERT_CHANNEL,
  cardOf,
  installActivity,
  seedSessions,
  sendSigned,
  TEAM,
  startTeamsAlertBot,
  type TeamsAlertBot,
} from './teams-alert-harness.js';

const notification = (name: string) =>
  structuredClone(loadCorpus<unknown>('alertmanager').find((f) => f.name === name)!.input) as Record<string, unknown>;

describe('Alertmanager notifications in a Teams channel (issue 22, alerts)', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let running: TestBot;
  let redis: Redis;
  let bot: TeamsAlertBot;
  const install = () => sendSigned(running, issuer, installActivity(connector.serviceUrl, ALERT_CHANNEL));

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

  it('until the app is installed in the alert channel, the webhook answers 503 saying so and nothing is posted', async () => {
    const res = await running.alertmanager(notification('firing'));
    await running.bot.idle();
    expect(res.status).toBe(503);
    expect(res.json.error).toMatch(
      /session-ttl app is not installed in the team of Teams channel 19:alerts.*Manage team/,
    );
    const warned = running.logs.lines.find((l) =>
      String(l.msg).startsWith('not posting the Alertmanager notification'),
    );
    expect(warned).toMatchObject({ level: 40, platform: 'teams', channel: ALERT_CHANNEL });
    expect(connector.calls).toEqual([]);
  });

  it('the verified install activity keeps the serviceUrl, conversation id and tenant of the channel', async () => {
    expect((await install()).status).toBe(200);
    const stored = JSON.parse((await redis.get(`session-ttl-bot:teams:ref:${ALERT_CHANNEL}`))!) as unknown;
    expect(stored).toMatchObject({
      serviceUrl: connector.serviceUrl,
      tenantId: FAKE_TENANT_ID,
      channelId: ALERT_CHANNEL,
      teamId: TEAM.id,
      groupId: TEAM.aadGroupId,
      teamName: 'SRE',
    });
    // The team's General channel (its id is the team's) can take posts too.
    expect(await redis.exists(`session-ttl-bot:teams:ref:${TEAM.id}`)).toBe(1);
    expect(connector.calls).toEqual([]);
  });

  it('firing: one card in the alert channel, the diagnosis as a reply in its thread; a second delivery posts nothing', async () => {
    await install();
    expect((await running.alertmanager(notification('firing'))).status).toBe(200);
    await running.bot.idle();
    const [group, diagnosis, ...rest] = connector.calls;
    expect(rest).toEqual([]);
    expect(group).toMatchObject({ kind: 'send', conversationId: ALERT_CHANNEL, status: 200 });
    expect(group!.body.summary).toBe('🔥 [FIRING:1] SessionTTLViolations');
    expect(cardOf(group!)).toMatch(/SessionTTLViolations.*firing in .*prod/);
    const groupId = 'activity-1';
    expect(diagnosis).toMatchObject({ kind: 'reply', conversationId: `${ALERT_CHANNEL};messageid=${groupId}` });
    expect(diagnosis!.activityId).toBe(groupId);
    expect(diagnosis!.body.replyToId).toBe(groupId);
    expect(String(diagnosis!.body.summary)).toMatch(/^Session TTL diagnosis for prod: /);
    expect(cardOf(diagnosis!)).toContain('ttl.no_expiry');
    // Every card is one Teams takes.
    expect(connector.calls.every((c) => c.violations.length === 0)).toBe(true);

    // When Alertmanager sends the same notification again (a retry, an HA peer)
    expect((await running.alertmanager(notification('firing'))).status).toBe(200);
    await running.bot.idle();
    // Then nothing more is posted
    expect(connector.calls).toHaveLength(2);
    expect(running.logs.lines.some((l) => /already handled/.test(String(l.msg)))).toBe(true);
  });

  it('resolved: the card is updated, the diagnosis marked resolved, and the thread says it resolved', async () => {
    await install();
    await running.alertmanager(notification('firing'));
    await running.bot.idle();
    const [group, diagnosis] = connector.calls;
    connector.calls.length = 0;
    // When the group resolves 70 minutes after it started
    expect((await running.alertmanager(notification('resolved'))).status).toBe(200);
    await running.bot.idle();
    const updates = connector.calls.filter((c) => c.kind === 'update');
    const cardUpdate = updates.find((u) => u.activityId === 'activity-1');
    expect(cardUpdate).toMatchObject({ method: 'PUT', conversationId: ALERT_CHANNEL });
    expect(cardUpdate!.body.summary).toBe('✅ Resolved after 1 h 10 min · SessionTTLViolations');
    const diagnosisUpdate = updates.find((u) => u.activityId === 'activity-2');
    expect(diagnosisUpdate!.conversationId).toBe(diagnosis!.conversationId);
    expect(String(diagnosisUpdate!.body.summary)).toMatch(
      /^✅ Resolved after 1 h 10 min · Session TTL diagnosis for prod: /,
    );
    const replies = connector.calls.filter((c) => c.kind === 'reply');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.conversationId).toBe(`${ALERT_CHANNEL};messageid=activity-1`);
    expect(String(replies[0]!.body.summary)).toMatch(/SessionTTLViolations in prod resolved after 1 h 10 min/);
    expect(group!.violations.concat(...connector.calls.map((c) => c.violations))).toEqual([]);
  });

  it('the app removed from the team: the reference is forgotten, and the webhook says to install it again', async () => {
    await install();
    await sendSigned(running, issuer, installActivity(connector.serviceUrl, ALERT_CHANNEL, 'remove'));
    expect(await redis.exists(`session-ttl-bot:teams:ref:${ALERT_CHANNEL}`)).toBe(0);
    const res = await running.alertmanager(notification('firing'));
    expect(res.status).toBe(503);
    expect(res.json.error).toMatch(/not installed/);
    await running.bot.idle();
    expect(connector.calls).toEqual([]);
  });

  it('the app added from another channel: every channel the connector lists for the team can take them', async () => {
    // Given a team whose channels are General, the alert channel and another one the app is added from
    const other = '19:other000000000000000000000000@thread.tacv2';
    connector.teamChannels.set(TEAM.id, [{ id: TEAM.id }, { id: ALERT_CHANNEL, name: 'alerts' }, { id: other }]);
    await sendSigned(running, issuer, installActivity(connector.serviceUrl, other));
    expect(JSON.parse((await redis.get(`session-ttl-bot:teams:ref:${ALERT_CHANNEL}`))!)).toMatchObject({
      channelName: 'alerts',
      serviceUrl: connector.serviceUrl,
    });
    // When Alertmanager notifies, the card goes to the alert channel
    expect((await running.alertmanager(notification('firing'))).status).toBe(200);
    await running.bot.idle();
    expect(connector.calls.map((c) => [c.kind, c.conversationId])[0]).toEqual(['send', ALERT_CHANNEL]);
    // And the app removed from that other channel's team is removed from every channel of it
    await sendSigned(running, issuer, installActivity(connector.serviceUrl, other, 'remove'));
    expect(await redis.exists(`session-ttl-bot:teams:ref:${ALERT_CHANNEL}`)).toBe(0);
    expect((await running.alertmanager(notification('firing'))).status).toBe(503);
  });
});
