import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { evictionPolicyCheck } from '../../src/diagnostics/checks/eviction-policy.js';
import { memoryCheck } from '../../src/diagnostics/checks/memory.js';
import { ttlSampleCheck } from '../../src/diagnostics/checks/ttl-sample.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import type { SlackApiCall } from '../fakes/slack-api.js';
import { startAlertmanager, type AlertmanagerHandle, type PushedAlert } from '../support/alertmanager-server.js';
import { ALERTS, AM_TOKEN, startTestBot, type TestBot } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

/** What Prometheus would send for the shipped rule firing in prod (`env` is the first label the routing reads). */
const ALERT: PushedAlert = {
  labels: { alertname: 'SessionTTLViolations', env: 'prod', namespace: 'langgraph-agent', severity: 'info' },
  annotations: { summary: 'Sessions are expiring before their expected TTL' },
};
const WEBHOOK = { integration: 'webhook' };
/** Bounds only a failing wait on Alertmanager's timers (group_wait and group_interval 1 s). */
const AM_TIMEOUT_MS = 20_000;

const header = (c: SlackApiCall): string => c.body.blocks?.[0]?.text?.text ?? '';
const chatCalls = (bot: TestBot) => bot.slack.calls.filter((c) => c.method.startsWith('chat.'));

describe('a real Alertmanager notifying the bot (prometheus-alertmanager, webhook_configs)', () => {
  let redis: Redis;
  let bot: TestBot;
  let am: AlertmanagerHandle | undefined;
  const alertmanager = async (token: string, repeatInterval?: string) => {
    am = await startAlertmanager({
      webhookUrl: `${bot.url}/alertmanager`,
      token,
      ...(repeatInterval ? { repeatInterval } : {}),
    });
    return am;
  };
  const failed = () => am!.metric('alertmanager_notifications_failed_total', WEBHOOK);
  /**
   * Webhook requests the bot answered 2xx: those Alertmanager finished (its latency histogram is observed once
   * the answer is in) less those that failed. `alertmanager_notifications_total` counts a send as it starts.
   */
  const answered = async () =>
    (await am!.metric('alertmanager_notification_latency_seconds_count', WEBHOOK)) -
    (await am!.metric('alertmanager_notification_requests_failed_total', WEBHOOK));
  const detail = () => ({ alertmanager: am?.output(), chat: chatCalls(bot).map((c) => [c.method, header(c)]) });

  beforeAll(async () => {
    redis = await resetSharedRedis();
    const config = parseConfig(
      {
        environments: { prod: { profile: 'production', redis: { url: sharedRedisUrl() } } },
        defaults: { rateWindowMs: 0, sampleSize: 200 },
        slack: { alertChannel: ALERTS, alertRouting: { aliases: { production: 'prod' } } },
      },
      'real-alertmanager-test',
    );
    const registry = createCheckRegistry([ttlSampleCheck, memoryCheck, evictionPolicyCheck]);
    bot = await startTestBot({ config, registry, alerts: 'redis' });
  });

  afterAll(async () => {
    await bot?.close();
    redis?.disconnect();
  });

  beforeEach(async () => {
    await redis.flushall();
    // Given 3 of 13 sessions without a TTL (ttl.no_expiry), for the diagnosis to find.
    const pipe = redis.pipeline();
    for (let i = 0; i < 10; i++) pipe.set(`session:ok${i}`, '{}', 'EX', 80_000 + i);
    for (let i = 0; i < 3; i++) pipe.set(`session:forever${i}`, '{}');
    await pipe.exec();
    bot.slack.reset();
    bot.logs.lines.length = 0;
  });

  afterEach(async () => {
    await am?.stop();
    am = undefined;
  });

  it('posts the group and the diagnosis once though Alertmanager sends it again, and marks the post resolved', async () => {
    // repeat_interval 1s: Alertmanager sends the unchanged group again on every flush, as it does after a
    // repeat_interval, so the bot receives the same notification several times.
    const am = await alertmanager(AM_TOKEN, '1s');
    const startsAt = new Date(Date.now() - 60_000).toISOString();

    // When: the alert fires, and the bot has answered Alertmanager's notification of its group three times.
    await am.push([{ ...ALERT, startsAt }]);
    await eventually('the bot to answer the group three times', async () => (await answered()) >= 3, {
      detail,
      timeoutMs: AM_TIMEOUT_MS,
    });
    // Each 200 came after the bot kept the notification as a job: once idle, it has answered all of them.
    await bot.bot.idle();

    // Then: one group message in the alert channel and one diagnosis in its thread.
    const posts = bot.slack.callsOf('chat.postMessage');
    const groups = posts.filter((c) => !c.body.thread_ts);
    expect(groups.map(header)).toEqual(['🔥 [FIRING:1] SessionTTLViolations']);
    const group = groups[0]!;
    expect(group.body.channel).toBe(ALERTS);
    expect(group.body.blocks[1].text.text).toMatch(/:red_circle: `SessionTTLViolations` firing in \*prod\*/);
    const ts = String(group.response!.ts);
    const diagnoses = posts.filter((c) => c.body.thread_ts === ts);
    expect(diagnoses.map(header)).toEqual([expect.stringMatching(/^Session TTL diagnosis: prod/)]);
    expect(JSON.stringify(diagnoses[0]!.body.blocks)).toContain('finding:ttl.no_expiry');
    expect(bot.slack.callsOf('chat.update')).toEqual([]);
    expect(bot.logs.lines.filter((l) => /already handled/.test(String(l.msg))).length).toBeGreaterThanOrEqual(2);

    // When: the alert ends (Prometheus sends it with endsAt in the past).
    await am.push([{ ...ALERT, startsAt, endsAt: new Date(Date.now() - 1000).toISOString() }]);

    // Then: the group message says resolved, and the thread says so; nothing else is posted.
    const resolved = await eventually(
      'the group message to be updated to resolved',
      () => bot.slack.callsOf('chat.update').find((u) => u.body.ts === ts && /^✅ Resolved after/.test(header(u))),
      { detail, timeoutMs: AM_TIMEOUT_MS },
    );
    expect(header(resolved)).toMatch(/· SessionTTLViolations$/);
    await eventually('the resolved reply in the thread', () =>
      bot.slack.callsOf('chat.postMessage').some((c) => c.body.thread_ts === ts && /resolved after/.test(c.body.text)),
    );
    await bot.bot.idle();
    const diagnosisTs = String(diagnoses[0]!.response!.ts);
    const diagnosisUpdates = bot.slack.callsOf('chat.update').filter((u) => u.body.ts === diagnosisTs);
    expect(diagnosisUpdates.map(header)).toEqual([
      expect.stringMatching(/^✅ Resolved after .* · Session TTL diagnosis/),
    ]);
    expect(bot.slack.callsOf('chat.postMessage').filter((c) => !c.body.thread_ts)).toHaveLength(1);
    expect(bot.slack.callsOf('chat.postMessage')).toHaveLength(3);
    expect(await failed()).toBe(0);
  });

  it('with a wrong token the bot refuses with 401, posts nothing, and Alertmanager counts the failure', async () => {
    const am = await alertmanager(`${AM_TOKEN}-wrong`);
    expect(await failed()).toBe(0);

    await am.push([ALERT]);

    await eventually('Alertmanager to count a failed webhook notification', async () => (await failed()) >= 1, {
      detail,
      timeoutMs: AM_TIMEOUT_MS,
    });
    expect(am.output()).toMatch(/unexpected status code 401/);
    const refusals = bot.logs.lines.filter((l) =>
      /refused an Alertmanager notification with a wrong bearer/.test(l.msg),
    );
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    await bot.bot.idle();
    expect(chatCalls(bot)).toEqual([]);
    expect(bot.logs.raw()).not.toContain(AM_TOKEN);
  });
});
