import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { parseConfig, type Config } from '../../src/config/config.js';
import { DEFAULT_NOTIFICATION_CONCURRENCY } from '../../src/alerts/alertmanager-route.js';
import { defineCheck } from '../../src/diagnostics/define-check.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../fakes/slack-api.js';
import { ALERTS, firingNotification, startTestBot, type TestBot } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { deferred, serverInfoCheck } from './fixtures.js';

const GROUPS = 50;
/** Short, so the test does not wait the default 30 s for A's jobs to be taken over. */
const LEASE_MS = 1000;

const isGroupPost = (c: SlackApiCall) => c.body.channel === ALERTS && !c.body.thread_ts;
const isDiagnosis = (c: SlackApiCall) =>
  ((c.body.blocks ?? []) as { block_id?: string }[]).some((b) => b.block_id === 'alert-origin');

describe('durable intake across two replicas (issue 19)', () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let config: Config;
  const bots: TestBot[] = [];
  const envs = Array.from({ length: GROUPS }, (_, i) => `e${i}`);
  // Replica A's checks never finish while the test runs: A "dies" holding whatever it took.
  const never = deferred();
  const hangingCheck = defineCheck({ ...serverInfoCheck, run: () => never.promise.then(() => []) });

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    redis = await resetSharedRedis();
    config = parseConfig(
      {
        environments: Object.fromEntries(
          envs.map((e) => [e, { profile: 'development', redis: { url: sharedRedisUrl() } }]),
        ),
        // A's hung checks must not time out (and post a report) while the test runs.
        defaults: { rateWindowMs: 0, checkTimeoutMs: 120_000 },
        slack: { alertChannel: ALERTS, alertCooldownMinutes: 15 },
      },
      'replica-intake-test',
    );
  });
  afterAll(async () => {
    for (const b of bots) await b.close();
    await slack?.close();
    redis?.disconnect();
  });

  it(
    `${GROUPS} notifications, each to both replicas; replica A stops mid-way holding its jobs: B posts every group and every diagnosis exactly once`,
    { timeout: 120_000 },
    async () => {
      // Given: replica A (its own state connection, checks that hang) and replica B, sharing the state Redis.
      const aState = new Redis(sharedRedisUrl());
      const jobs = { leaseMs: LEASE_MS, pollMs: 100 };
      const metrics = new Registry();
      const a = await startTestBot({
        slack,
        config,
        registry: createCheckRegistry([hangingCheck]),
        alerts: redisStateStore(aState),
        extra: { jobs, graceMs: 100, lastWordsMs: 100 },
      });
      const b = await startTestBot({
        slack,
        config,
        registry: createCheckRegistry([serverInfoCheck]),
        alerts: 'redis',
        extra: { jobs, metrics },
      });
      bots.push(a, b);

      // When: every notification reaches both replicas at once (HA peers), all 50 in flight together.
      const notifications = envs.map((env, g) => firingNotification(env, `intake${g}`));
      const answers = await Promise.all(notifications.flatMap((n) => [a.alertmanager(n), b.alertmanager(n)]));
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
      // A took some: it fills its notification slots, each posting and recording its group message and starting
      // its diagnosis (which hangs, or waits for a diagnosis slot); the rest of its jobs wait for a notification
      // slot. Then nothing of A's moves.
      const count = (msg: string) => a.logs.lines.filter((l) => l.msg === msg).length;
      await eventually(
        'A to be stuck in its diagnoses',
        () =>
          count('posted the alert group') === DEFAULT_NOTIFICATION_CONCURRENCY &&
          count('alert diagnosis started') === DEFAULT_NOTIFICATION_CONCURRENCY,
        { detail: () => [count('posted the alert group'), count('alert diagnosis started')] },
      );
      const heldByA = DEFAULT_NOTIFICATION_CONCURRENCY;
      // ... and stops: its state connection is gone (no more heartbeats, no more writes), its checks never return.
      // (Stopped between a post and its record, a group message would be posted twice: see the README.)
      aState.disconnect();

      // Then: B takes A's jobs over after the lease and answers them; every group is posted and diagnosed once.
      await eventually(
        'a diagnosis in every group',
        () => slack.callsOf('chat.postMessage').filter(isDiagnosis).length >= GROUPS,
        { timeoutMs: 60_000, detail: () => slack.callsOf('chat.postMessage').filter(isDiagnosis).length },
      );
      // A's other jobs (copies B had already answered, waiting for one of A's slots) are taken over too, and end.
      await eventually('the queue to be empty', async () => (await redis.zcard('session-ttl-bot:queue:intake')) === 0, {
        timeoutMs: 30_000,
      });
      await b.bot.idle();
      const posts = slack.callsOf('chat.postMessage');
      expect(posts.filter(isGroupPost)).toHaveLength(GROUPS);
      const diagnoses = posts.filter(isDiagnosis);
      expect(diagnoses).toHaveLength(GROUPS);
      expect(new Set(diagnoses.map((c) => c.body.thread_ts)).size).toBe(GROUPS);
      expect(posts.filter((c) => c.body.thread_ts !== undefined)).toHaveLength(GROUPS);
      // B took over at least the jobs A was diagnosing when it stopped (and any A held waiting for a slot).
      const tookOver = b.logs.lines.filter((l) => l.msg.startsWith('took over a job')).length;
      expect(tookOver).toBeGreaterThanOrEqual(heldByA);
      const counted = await metrics.getSingleMetricAsString('session_ttl_bot_intake_jobs_total');
      expect(counted).toContain(`kind="alertmanager-notification",outcome="resumed"} ${tookOver}`);
    },
  );
});
