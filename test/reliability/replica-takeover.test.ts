import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { FAKE_IDS, startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../fakes/slack-api.js';
import { buildSignedRequest, sendSigned, sendSlashCommand } from '../fakes/slack-signing.js';
import { ALERTS, AM_TOKEN, firingNotification, startTestBot, type TestBot } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { PROCESS_SIGNING_SECRET, startBotProcess, type BotProcess } from '../support/bot-process.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { serverInfoCheck } from './fixtures.js';

/** The bound: an interrupted diagnosis is re-run by another replica and posted within a minute. */
const RECOVERY_BOUND_MS = 60_000;

const INCIDENT = 'C0INCIDENT';
const POST_TS = '1720000000.000001';

/** An alert post by Alertmanager's Slack integration in the incident channel, as a signed Events API delivery. */
function alertPostEvent(url: string, env: string) {
  const event = {
    type: 'message',
    subtype: 'bot_message',
    bot_id: 'B07ALRTMGR',
    channel: INCIDENT,
    ts: POST_TS,
    text: `[FIRING:1] SessionTTLViolations\nAlert: SessionTTLViolations\nLabels: env=${env}`,
  };
  const body = JSON.stringify({
    token: 'x',
    team_id: FAKE_IDS.team,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: 'EvTakeover1',
    event_time: Math.floor(Date.now() / 1000),
    event,
  });
  const signing = { signingSecret: PROCESS_SIGNING_SECRET, contentType: 'application/json' };
  return buildSignedRequest(`${url}/slack/events`, body, { ...signing, timestampSec: Math.floor(Date.now() / 1000) });
}

const isGroupPost = (c: SlackApiCall) => c.body.channel === ALERTS && !c.body.thread_ts;
const isReport = (c: SlackApiCall) => c.body.channel === FAKE_IDS.channel && !c.body.thread_ts;

describe('a replica SIGKILLed holding a notification, an alert post and a slash diagnosis loses them to another replica (issue 19)', () => {
  let slack: FakeSlackApi;
  let state: Redis;
  let envRedis: RedisServerHandle;
  let b: TestBot;
  let a: BotProcess | undefined;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    state = await resetSharedRedis();
    // The environment's Redis: stopped (SIGSTOP) while replica A works, so A's diagnoses hang until it dies.
    envRedis = await startRedisServer();
  });
  afterAll(async () => {
    await a?.kill();
    envRedis?.process.kill('SIGCONT');
    await b?.close();
    await envRedis?.stop();
    await slack?.close();
    state?.disconnect();
  });

  it(
    'replica B posts the group diagnosis, the alert post diagnosis and the slash report after the lease, each exactly once, within a minute',
    { timeout: 240_000 },
    async () => {
      // Given: replica A, a real bot process, and replica B, in process, sharing the state Redis and Slack.
      const raw = {
        defaults: { checkTimeoutMs: 120_000, rateWindowMs: 0 },
        environments: {
          dev: { profile: 'development', redis: { url: envRedis.url } },
          dev2: { profile: 'development', redis: { url: envRedis.url } },
        },
        slack: { alertChannel: ALERTS, incidentChannels: [INCIDENT] },
      };
      a = await startBotProcess({
        config: raw,
        slackApiUrl: slack.apiUrl,
        env: { STATE_REDIS_URL: sharedRedisUrl(), ALERTMANAGER_TOKEN: AM_TOKEN },
      });
      const proc = a;
      const config = parseConfig(raw, 'replica-takeover-test');
      b = await startTestBot({ slack, config, registry: createCheckRegistry([serverInfoCheck]), alerts: 'redis' });

      // When: A accepts a notification, an alert post and a slash diagnose, posts the group message, and hangs on
      // the paused Redis.
      envRedis.process.kill('SIGSTOP');
      const answer = await fetch(`${a.url}/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}` },
        body: JSON.stringify(firingNotification('dev', 'takeover')),
      });
      expect(answer.status).toBe(200);
      const ack = await sendSlashCommand(
        a.url,
        { text: 'diagnose dev', response_url: slack.responseUrl('killed') },
        { signingSecret: PROCESS_SIGNING_SECRET },
      );
      expect(ack.json.text).toMatch(/Diagnosing/);
      const event = await sendSigned(alertPostEvent(a.url, 'dev2'));
      expect(event.status).toBe(200);
      const group = await slack.waitFor('chat.postMessage', isGroupPost, 30_000);
      const groupTs = String(group.response?.ts);
      const started = (l: { msg?: string }) => l.msg === 'alert diagnosis started';
      await eventually('A to start both alert diagnoses', () => proc.logs().filter(started).length === 2);
      await eventually('A to start the slash diagnosis', () => proc.logs().some((l) => l.msg === 'diagnosis started'));

      // ... and is SIGKILLed (no drain, no last words); then the Redis answers again.
      await a.kill();
      const killedAt = performance.now();
      envRedis.process.kill('SIGCONT');

      // Then: B takes both jobs over once A's lease is over, and posts the diagnosis and the report.
      const diagnosis = await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === groupTs, 90_000);
      const report = await slack.waitFor('chat.postMessage', isReport, 90_000);
      const postReply = await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === POST_TS, 90_000);
      const recoveredMs = Math.round(performance.now() - killedAt);
      expect(recoveredMs, 'from SIGKILL to the three posts').toBeLessThan(RECOVERY_BOUND_MS);
      expect(JSON.stringify(diagnosis.body)).toContain('Redis server');
      expect(JSON.stringify(report.body)).toContain('Redis server');
      expect(JSON.stringify(postReply.body)).toContain('Redis server');
      await b.bot.idle();
      expect(b.logs.lines.filter((l) => l.msg.startsWith('took over a job'))).toHaveLength(3);

      // Each exactly once: one group message, one reply in its thread, one report in the channel.
      const posts = slack.callsOf('chat.postMessage');
      expect(posts.filter(isGroupPost)).toHaveLength(1);
      expect(posts.filter((c) => c.body.thread_ts === groupTs)).toHaveLength(1);
      expect(posts.filter(isReport)).toHaveLength(1);
      expect(posts.filter((c) => c.body.thread_ts === POST_TS)).toHaveLength(1);
      // The person was told again through the response_url by B (the run restarted there).
      expect(slack.responses.filter((r) => r.id === 'killed').length).toBeGreaterThanOrEqual(1);
      expect(await state.zcard('session-ttl-bot:queue:intake')).toBe(0);
      console.log(`replica takeover: all three posted ${recoveredMs} ms after the SIGKILL`);
    },
  );
});
