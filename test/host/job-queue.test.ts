import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { parseConfig } from '../../src/config/config.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { ALERTS, startTestBot, type TestBot } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

const QUEUE = 'session-ttl-bot:queue:intake';

describe('the durable job queue on the state Redis (issue 19)', () => {
  let slack: FakeSlackApi;
  let redis: Redis;
  let bot: TestBot;
  const metrics = new Registry();

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    redis = await resetSharedRedis();
    const config = parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } },
        slack: { alertChannel: ALERTS },
      },
      'job-queue-test',
    );
    bot = await startTestBot({ slack, config, alerts: 'redis', extra: { jobs: { pollMs: 50 }, metrics } });
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
    redis?.disconnect();
  });

  /** Writes an entry into the queue as another (older, foreign or broken) replica would have, due now. */
  async function plant(id: string, value: string): Promise<void> {
    await redis.set(`${QUEUE}:${id}`, value, 'PX', 60_000);
    await redis.zadd(QUEUE, Date.now() - 1, id);
  }
  const logged = (msg: string) => bot.logs.lines.filter((l) => l.msg.startsWith(msg));

  it('drops an entry of an unknown kind, one with an invalid payload and one that is not a job, each with its reason; posts nothing', async () => {
    const entry = (kind: string, payload: unknown) =>
      JSON.stringify({ kind, payload, runs: 1, enqueuedAt: Date.now(), state: 'running' });
    await plant('unknown', entry('make-coffee', {}));
    await plant('invalid', entry('alertmanager-notification', { channel: 5 }));
    await plant('garbage', '{"not":"a job"');

    await eventually('the queue to be empty', async () => (await redis.zcard(QUEUE)) === 0);
    expect(logged('dropped a job (unknown kind)')).toHaveLength(1);
    const invalid = logged('dropped a job (invalid payload');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.kind).toBe('alertmanager-notification');
    expect(logged('dropped a job that is not a job entry')).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
    const counted = await metrics.getSingleMetricAsString('session_ttl_bot_intake_jobs_total');
    expect(counted).toContain('kind="make-coffee",outcome="dropped"} 1');
  });

  it('gives up a job begun too often (a replica crashing on it each time), with an error line', async () => {
    const job = { kind: 'alertmanager-notification', payload: { channel: ALERTS, body: {} }, enqueuedAt: Date.now() };
    await plant('crashy', JSON.stringify({ ...job, runs: 8, state: 'running' }));
    await eventually('the queue to be empty', async () => (await redis.zcard(QUEUE)) === 0);
    const given = logged('gave up on a job (alertmanager-notification): begun 8 times');
    expect(given).toHaveLength(1);
    expect(given[0]?.level).toBe(50);
  });

  it('renews only an entry still queued (ZADD XX)', async () => {
    const store = redisStateStore(redis);
    await store.enqueue('renew-test', 'a', 'v', Date.now() + 1000, 60_000);
    expect(await store.renew('renew-test', 'a', Date.now() + 5000)).toBe(true);
    expect(await store.takeDue('renew-test', Date.now() + 2000, 1000, 10)).toEqual([]);
    await store.remove('renew-test', 'a');
    expect(await store.renew('renew-test', 'a', Date.now() + 5000)).toBe(false);
    expect(await redis.zcard('session-ttl-bot:queue:renew-test')).toBe(0);
  });
});
