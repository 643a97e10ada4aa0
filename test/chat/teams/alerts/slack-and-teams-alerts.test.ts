import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evictionPolicyCheck } from '../../../../src/diagnostics/checks/eviction-policy.js';
import { ttlSampleCheck } from '../../../../src/diagnostics/checks/ttl-sample.js';
import { createCheckRegistry } from '../../../../src/diagnostics/registry.js';
import { loadCorpus } from '../../../alerts/corpus.js';
import { startFakeBotConnector, type FakeBotConnector } from '../../../fakes/bot-connector.js';
import { startFakeTeamsTokenIssuer, type FakeTeamsTokenIssuer } from '../../../fakes/teams-token-issuer.js';
import { ALERTS, startTestBot, type TestBot } from '../../../support/bot-harness.js';
import { resetSharedRedis } from '../../../support/shared-redis.js';
import { fakeTeamsSettings } from '../teams-activity.js';
import { ALERT_CHANNEL, installActivity, seedSessions, sendSigned, teamsAlertConfig } from './teams-alert-harness.js';

const firing = () => structuredClone(loadCorpus<unknown>('alertmanager').find((f) => f.name === 'firing')!.input);

describe('Alertmanager notifications with both slack.alertChannel and teams.alertChannel set', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let running: TestBot;
  let redis: Redis;

  beforeAll(async () => {
    redis = await resetSharedRedis();
    await seedSessions(redis);
    issuer = await startFakeTeamsTokenIssuer();
    connector = await startFakeBotConnector();
    running = await startTestBot({
      config: teamsAlertConfig({ alertChannel: ALERTS }),
      registry: createCheckRegistry([ttlSampleCheck, evictionPolicyCheck]),
      alerts: 'redis',
      teams: fakeTeamsSettings(issuer),
      extra: { teams: { jwksCooldownMs: 0 } },
    });
  });
  afterAll(async () => {
    await running?.close();
    await connector?.close();
    await issuer?.close();
    redis?.disconnect();
  });

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
    expect(String(connector.calls[1]!.body.text)).toMatch(/^Session TTL diagnosis for prod: /);
    expect(String(slackPosts[1]!.body.text)).toMatch(/^Session TTL diagnosis for prod: /);
    expect(connector.calls.every((c) => c.violations.length === 0)).toBe(true);
    // Each platform keeps its own cooldown: Slack's where it always was, Teams' in its key space.
    expect(await redis.exists('session-ttl-bot:cooldown:sessionttlviolations:prod')).toBe(1);
    expect(await redis.exists('session-ttl-bot:teams:cooldown:sessionttlviolations:prod')).toBe(1);
  });
});
