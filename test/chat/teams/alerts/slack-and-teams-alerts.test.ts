import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../../alerts/corpus.js';
import type { FakeBotConnector } from '../../../fakes/bot-connector.js';
import type { FakeTeamsTokenIssuer } from '../../../fakes/teams-token-issuer.js';
import { ALERTS, startTestBot, type TestBot } from '../../../support/bot-harness.js';
import {
  ALERT_CHANNEL,
  installActivity,
  seedSessions,
  sendSigned,
  startTeamsAlertBot,
  teamsAlertConfig,
  type TeamsAlertBot,
} from './teams-alert-harness.js';

const firing = () => structuredClone(loadCorpus<unknown>('alertmanager').find((f) => f.name === 'firing')!.input);

describe('Alertmanager notifications with both slack.alertChannel and teams.alertChannel set', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let running: TestBot;
  let redis: Redis;
  let bot: TeamsAlertBot;

  beforeAll(async () => {
    bot = await startTeamsAlertBot({ alertChannel: ALERTS });
    ({ issuer, connector, running, redis } = bot);
    await seedSessions(redis);
  });
  afterAll(() => bot?.close());

  it('both channels get the group message and the diagnosis in its thread, each once', async () => {
    // Given the app installed in the Teams alert channel's team
    await sendSigned(running, issuer, installActivity(connector.serviceUrl, ALERT_CHANNEL));
    // When Alertmanager notifies, twice (a retry)
    expect((await running.alertmanager(firing())).status).toBe(200);
    await running.bot.idle();
    expect((await running.alertmanager(firing())).status).toBe(200);
    await running.bot.idle();
    // Then Slack has its message and the diagnosis in its thread, as before
    const slackPosts = running.slack.callsOf('chat.postMessage');
    expect(slackPosts.map((c) => [c.body.channel, c.body.thread_ts === undefined])).toEqual([
      [ALERTS, true],
      [ALERTS, false],
    ]);
    // And Teams its card and the diagnosis in the card's thread: a diagnosis of its own, not a cooldown link
    expect(connector.calls.map((c) => [c.kind, c.conversationId])).toEqual([
      ['send', ALERT_CHANNEL],
      ['reply', `${ALERT_CHANNEL};messageid=activity-1`],
    ]);
    expect(String(connector.calls[1]!.body.summary)).toMatch(/^Session TTL diagnosis for prod: /);
    expect(String(slackPosts[1]!.body.text)).toMatch(/^Session TTL diagnosis for prod: /);
    expect(connector.calls.every((c) => c.violations.length === 0)).toBe(true);
    // Each platform keeps its own cooldown: Slack's where it always was, Teams' in its key space.
    expect(await redis.exists('session-ttl-bot:cooldown:sessionttlviolations:prod')).toBe(1);
    expect(await redis.exists('session-ttl-bot:teams:cooldown:sessionttlviolations:prod')).toBe(1);
  });
});

describe('Teams alerts when one platform is off', () => {
  it("Teams only (no Slack credential): the config's slack.alertChannel is not used, Teams gets the notification", async () => {
    const t = await startTeamsAlertBot({ alertChannel: ALERTS }, { teamsOnly: true });
    try {
      await seedSessions(t.redis);
      await sendSigned(t.running, t.issuer, installActivity(t.connector.serviceUrl, ALERT_CHANNEL));
      expect((await t.running.alertmanager(firing())).status).toBe(200);
      await t.running.bot.idle();
      expect(t.connector.calls.map((c) => c.kind)).toEqual(['send', 'reply']);
      // No job for Slack was kept to fail against the Slack stand-in.
      expect(t.running.logs.lines.filter((l) => l.level >= 40 && /Alertmanager|job/.test(String(l.msg)))).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('Teams channels in the config without TEAMS_APP_ID: a warning says Teams is off', async () => {
    const off = await startTestBot({ config: teamsAlertConfig(), alerts: false });
    try {
      const warned = off.logs.lines.find((l) =>
        /names Teams channels \(teams\.\*\), but Teams is off/.test(String(l.msg)),
      );
      expect(warned?.level).toBe(40);
    } finally {
      await off.close();
    }
  });
});
