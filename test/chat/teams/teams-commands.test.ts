import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { evictionPolicyCheck } from '../../../src/diagnostics/checks/eviction-policy.js';
import { ttlSampleCheck } from '../../../src/diagnostics/checks/ttl-sample.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { startFakeBotConnector, type ConnectorCall, type FakeBotConnector } from '../../fakes/bot-connector.js';
import { startFakeTeamsTokenIssuer, type FakeTeamsTokenIssuer } from '../../fakes/teams-token-issuer.js';
import { startTestBot, type TestBot } from '../../support/bot-harness.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { fakeTeamsSettings, messageActivity, sendActivity } from './teams-activity.js';

/** The card a call carried, as text (what a person sees is in the TextRuns and TextBlocks). */
const cardText = (call: ConnectorCall) => JSON.stringify((call.body.attachments as { content: unknown }[])[0]?.content);

describe('Teams commands over the shared dispatcher (issue 22, second slice)', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let running: TestBot;
  let redis: Redis;
  const waits: number[] = [];

  beforeAll(async () => {
    redis = await resetSharedRedis();
    issuer = await startFakeTeamsTokenIssuer();
    connector = await startFakeBotConnector();
    const config = parseConfig(
      {
        environments: {
          dev: { profile: 'development', redis: { url: sharedRedisUrl() } },
          staging: { profile: 'development', redis: { url: 'redis://127.0.0.1:9' } },
          canary: {
            profile: 'development',
            expectedTtlSeconds: 60,
            redis: { url: sharedRedisUrl() },
            verify: { waitSeconds: 1 },
          },
        },
      },
      'teams-test',
    );
    running = await startTestBot({
      config,
      registry: createCheckRegistry([ttlSampleCheck, evictionPolicyCheck]),
      teams: fakeTeamsSettings(issuer),
      extra: {
        teams: {
          jwksCooldownMs: 0,
          sleep: (ms) => {
            waits.push(ms);
            return Promise.resolve();
          },
        },
      },
    });
  });
  afterAll(async () => {
    await running?.close();
    await connector?.close();
    await issuer?.close();
    await redis?.config('SET', 'maxmemory-policy', 'noeviction');
    redis?.disconnect();
  });
  beforeEach(() => {
    connector.calls.length = 0;
    waits.length = 0;
  });

  /** Sends `text` as a signed channel message; the connector calls it caused. */
  async function command(text: string) {
    const activity = messageActivity(connector.serviceUrl, text);
    const res = await sendActivity(running, activity, `Bearer ${await issuer.sign(connector.serviceUrl)}`);
    expect(res.status).toBe(200);
    return { activity, calls: [...connector.calls] };
  }

  it('diagnose dev: acknowledges in reply, then posts one report card with the seeded findings in the conversation', async () => {
    // Given a Redis that evicts any key under pressure, with sessions in it
    await redis.flushall();
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const pipe = redis.pipeline();
    for (let i = 0; i < 20; i++) pipe.set(`session:s${i}`, '{}', 'EX', 1800);
    await pipe.exec();

    // When a person asks in a Teams channel
    const { activity, calls } = await command('diagnose dev');

    // Then a short acknowledgement answers the message, then one report card is posted in the conversation
    expect(calls.map((c) => c.kind)).toEqual(['reply', 'send']);
    const [ack, report] = calls as [ConnectorCall, ConnectorCall];
    expect(ack.activityId).toBe(activity.id);
    expect(ack.body.summary).toMatch(/^Diagnosing dev \(/);
    expect(report.conversationId).toBe(activity.conversation.id);
    expect(report.violations).toEqual([]);
    expect(report.body.summary).toContain('Session TTL diagnosis for dev');
    const card = cardText(report);
    expect(card).toContain('maxmemory-policy is allkeys-lru');
    expect(card).toContain('eviction.allkeys_policy');
    // Who asked is the AAD object id the signed activity carries
    expect(card).toContain('aad:aad-user-1');
    // Re-run and Verify are Universal Actions carrying the environment; no fix buttons without remediation
    expect(card).toContain('{"type":"Action.Execute","title":"Re-run","verb":"diagnose","data":{"ref":"dev"}}');
    expect(card).not.toContain('"verb":"fix:');
  });

  it('a report Teams refuses for now (503) goes to the person in reply, not to the Slack outbox', async () => {
    await redis.flushall();
    // Given the connector takes the acknowledgement, then fails the report's post
    connector.failNext({ status: 200 }, { status: 503 });
    // When
    const { calls } = await command('diagnose dev');
    // Then the report comes back as a reply saying to run it again later (it is not kept to be posted by Slack)
    expect(calls.map((c) => [c.kind, c.status])).toEqual([
      ['reply', 200],
      ['send', 503],
      ['reply', 200],
    ]);
    expect(String(calls[2]!.body.summary)).toMatch(
      /^I could not post the report in this channel \(connector_http_503\).*Teams did not take the post \(connector_http_503\); run the command again later/,
    );
    expect(calls[2]!.violations).toEqual([]);
    expect(running.slack.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('diagnose nowhere: the same unknown-environment message as in Slack, nothing posted', async () => {
    const { calls } = await command('diagnose nowhere');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.kind).toBe('reply');
    expect(calls[0]!.body.summary).toBe('Unknown environment "nowhere". Valid environments: dev, staging, canary.');
    expect(calls[0]!.violations).toEqual([]);
  });

  it('envs lists the environments of the config', async () => {
    const { calls } = await command('envs');
    expect(calls.map((c) => c.kind)).toEqual(['reply']);
    const text = String(calls[0]!.body.summary);
    expect(text).toContain('dev — development');
    expect(text).toContain('staging — development');
    expect(calls[0]!.violations).toEqual([]);
  });

  it('verify posts its progress in the conversation and updates that message in place until the verdict', async () => {
    await redis.flushall();
    // When
    const { activity, calls } = await command('verify canary');
    // Then: an ack in reply, one progress message in the conversation, then PUT updates of that same activity
    expect(calls.map((c) => c.kind)).toEqual(['reply', 'send', 'update', 'update']);
    const progress = calls[1]!;
    expect(progress.conversationId).toBe(activity.conversation.id);
    const posted = `activity-${connector.calls.indexOf(progress) + 1}`;
    expect(calls.slice(2).map((c) => [c.method, c.conversationId, c.activityId])).toEqual([
      ['PUT', activity.conversation.id, posted],
      ['PUT', activity.conversation.id, posted],
    ]);
    expect(calls[3]!.body.summary).toMatch(/^Session TTL verification for canary: PASS/);
    expect(calls.every((c) => c.violations.length === 0)).toBe(true);
    // The canary is gone
    expect(await redis.dbsize()).toBe(0);
  });

  it('an unknown command is answered with the commands there are', async () => {
    const { calls } = await command('frobnicate dev');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body.summary).toBe('Unknown subcommand frobnicate. Try one of diagnose, envs, help, verify.');
  });

  it('a 429 with Retry-After is waited out and retried once: the reply is taken once', async () => {
    // Given the connector throttles the next call
    connector.failNext({ status: 429, headers: { 'retry-after': '2' } });
    // When
    const { calls } = await command('envs');
    // Then the bot waited 2 s, sent again, and Teams took one reply
    expect(waits).toEqual([2000]);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(connector.taken()).toHaveLength(1);
    const throttled = running.logs.lines.filter((l) => l.msg === 'Bot Connector throttled the bot');
    expect(throttled.at(-1)).toMatchObject({ status: 429, retryAfterMs: 2000 });
    expect(running.logs.raw()).not.toContain('outgoing-token-');
  });

  it('in a channel, only a message that @mentions the bot is a command; in a one-to-one chat, every message', async () => {
    const signed = `Bearer ${await issuer.sign(connector.serviceUrl)}`;
    // Given: people talking in the channel (Teams delivers every channel message to the bot with RSC)
    const chatter = {
      ...messageActivity(connector.serviceUrl, 'envs'),
      text: 'anyone seen the envs page?',
      entities: [],
    };
    expect((await sendActivity(running, chatter, signed)).status).toBe(200);
    // Then: nothing is answered
    expect(connector.calls).toHaveLength(0);

    // When: the same words in a one-to-one chat with the bot, without a mention
    const personal = {
      ...chatter,
      text: 'envs',
      conversation: { id: 'a:1-personal-chat', tenantId: chatter.conversation.tenantId, conversationType: 'personal' },
    };
    expect((await sendActivity(running, personal, signed)).status).toBe(200);
    // Then: it is a command, answered there
    expect(connector.calls).toHaveLength(1);
    expect(connector.calls[0]).toMatchObject({ kind: 'reply', conversationId: 'a:1-personal-chat' });
  });

  it('a forged token is still refused with 401, and nothing runs', async () => {
    const activity = messageActivity(connector.serviceUrl, 'diagnose dev');
    const forged = await issuer.sign(connector.serviceUrl, { claims: { aud: 'another-bot' } });
    const res = await sendActivity(running, activity, `Bearer ${forged}`);
    expect(res).toEqual({ status: 401, json: { error: 'unauthorized', reason: 'wrong_audience' } });
    expect(connector.calls).toHaveLength(0);
  });
});
