import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { parseConfig } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../fakes/slack-api.js';
import { ALERTS, firingNotification, startTestBot, type TestBot } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { serverInfoCheck } from './fixtures.js';

const USER = 'norecord';
const PASSWORD = 'norecord-0123456789';
const isGroupPost = (c: SlackApiCall) => c.body.channel === ALERTS && !c.body.thread_ts;

describe('a run of a job that posted but could not record the post (issue 19)', () => {
  let slack: FakeSlackApi;
  let admin: Redis;
  let client: Redis;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    admin = await resetSharedRedis();
    // The bot's state user may write every key but the alert groups' records (`amgroup:`), which it may only read.
    await admin.acl('SETUSER', USER, 'reset', 'on', `>${PASSWORD}`, '+@all');
    await admin.acl('SETUSER', USER, '~session-ttl-bot:[^a]*', '~session-ttl-bot:aml*', '%R~session-ttl-bot:amg*');
    const url = new URL(sharedRedisUrl());
    client = new Redis({ host: url.hostname, port: Number(url.port), username: USER, password: PASSWORD });
  });
  afterAll(async () => {
    await bot?.close();
    client?.disconnect();
    await admin?.acl('DELUSER', USER);
    admin?.disconnect();
    await slack?.close();
  });

  it('is run again, finds the group message by its key instead of posting it again, and diagnoses once', async () => {
    // Given: a bot whose state store refuses the record of a posted group message (NOPERM), retrying after 1 s.
    const config = parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } },
        defaults: { rateWindowMs: 0 },
        slack: { alertChannel: ALERTS },
      },
      'job-rerun-test',
    );
    bot = await startTestBot({
      slack,
      config,
      registry: createCheckRegistry([serverInfoCheck]),
      alerts: redisStateStore(client),
      retryDelaysMs: [1000],
    });

    // When: a notification is posted, and its first run posts the group message but cannot record it.
    const answer = await bot.alertmanager(firingNotification('dev', 'rerun'));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    await slack.waitFor('chat.postMessage', isGroupPost);
    await eventually('a retry', () => bot.logs.lines.find((l) => l.msg === 'will try the job again'));
    // ... and the store takes the record again before the next run.
    await admin.acl('SETUSER', USER, '~session-ttl-bot:amg*');

    // Then: the next run finds the message by its key, records it and diagnoses in its thread; one of each.
    const diagnosis = await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts !== undefined, 15_000);
    await bot.bot.idle();
    const posts = slack.callsOf('chat.postMessage');
    expect(posts.filter(isGroupPost)).toHaveLength(1);
    expect(posts.filter((c) => c.body.thread_ts !== undefined)).toHaveLength(1);
    expect(diagnosis.body.thread_ts).toBe(posts.find(isGroupPost)?.response?.ts);
    expect(bot.logs.lines.map((l) => l.msg)).toContain(
      'an earlier run of this job posted the alert group; recording it',
    );
    expect(await admin.keys('session-ttl-bot:amgroup:*')).toHaveLength(1);
  });
});
