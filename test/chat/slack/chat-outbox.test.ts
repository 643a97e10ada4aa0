import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../../src/adapters/state/memory-state-store.js';
import { redisStateStore } from '../../../src/adapters/state/redis-state-store.js';
import type { SlackApiCall } from '../../fakes/slack-api.js';
import { alertPost as makeAlertPost, deliver } from './alert-events.js';
import { useOutboxBots } from './outbox-bots.js';
import { eventually } from '../../support/eventually.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';

const INCIDENT = 'C07INCIDENT';
const POLL_MS = 10;
const alertPost = (env: string) => makeAlertPost(env, INCIDENT);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the outbox: posts Slack refused through its retries are posted once Slack is back (issue 9, items 4 and 5)', () => {
  const f = useOutboxBots({ name: 'outbox-test', incident: INCIDENT });

  /** The real bot over the real Redis state store, with an outbox that tries again after 30 ms, three times. */
  function start(delaysMs: readonly number[] = [30, 30, 30]) {
    return f.start({ outbox: { delaysMs, pollMs: POLL_MS } });
  }
  const repliesIn = (ts: string) =>
    f.slack.callsOf('chat.postMessage').filter((c) => c.body.channel === INCIDENT && c.body.thread_ts === ts);
  const isDiagnosis = (c: SlackApiCall) => JSON.stringify(c.body.blocks).includes('finding:fixture.server_info');
  const outboxKeys = async () => (await f.admin.keys('session-ttl-bot:queue:chat-outbox*')).sort();
  /** Long enough for several worker polls: anything still due would have been tried. */
  const severalPolls = () => pause(POLL_MS * 15);

  it('an alert post whose diagnosis Slack refuses (HTTP 500, 3 calls) gets exactly one diagnosis once Slack is back, none while down', async () => {
    // Given: chat.postMessage answers 500 to the next 3 calls (the reply and two tries of the outbox).
    const bot = await start();
    f.slack.failMethodHttp('chat.postMessage', 500, 3);

    // When: the alert post arrives.
    const post = alertPost('dev');
    expect((await deliver(bot.url, post)).status).toBe(200);

    // Then: the diagnosis lands on the 4th call, and only then.
    await eventually('the outbox to deliver', () =>
      bot.logs.lines.find((l) => l.msg === 'posted a message that Slack had refused earlier'),
    );
    await severalPolls();
    await bot.bot.outbox.flush();
    const replies = repliesIn(post.ts);
    expect(replies).toHaveLength(4);
    expect(replies.every(isDiagnosis)).toBe(true);
    expect(
      bot.logs.lines.filter((l) => String(l.msg).startsWith('Slack refused a postponed message again')),
    ).toHaveLength(2);
    expect(await bot.bot.outbox.size()).toBe(0);
    expect(await outboxKeys()).toEqual([]);
    expect(await bot.metrics.getSingleMetricAsString('session_ttl_bot_chat_outbox_total')).toMatch(
      /platform="slack",outcome="delivered",kind="alert-reply"} 1/,
    );

    // And: Slack redelivering the same event gets no second reply (the post was answered, through the outbox).
    expect((await deliver(bot.url, post, 1)).status).toBe(200);
    await bot.bot.idle();
    await severalPolls();
    expect(repliesIn(post.ts)).toHaveLength(4);
  });

  it('nothing is kept, and nothing posted twice, when the first reply went through', async () => {
    const bot = await start();
    const post = alertPost('dev');
    expect((await deliver(bot.url, post)).status).toBe(200);
    await f.slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === post.ts);
    await bot.bot.idle();
    await severalPolls();
    await bot.bot.outbox.flush();
    expect(repliesIn(post.ts)).toHaveLength(1);
    expect(await bot.bot.outbox.size()).toBe(0);
    expect(bot.logs.lines.filter((l) => l.msg === 'Slack refused a message; kept it to post later')).toEqual([]);
  });

  it('gives up after its tries with an error line and the given_up metric, and keeps nothing', async () => {
    // Given: Slack down for good; the outbox tries twice after the first refusal.
    const bot = await start([20, 20]);
    f.slack.failMethodHttp('chat.postMessage', 500);
    const post = alertPost('dev');
    await deliver(bot.url, post);
    const line = await eventually('the outbox to give up', () =>
      bot.logs.lines.find((l) => String(l.msg).startsWith('gave up posting a message (alert-reply) after 3 tries')),
    );
    expect(line.level).toBe(50);
    await severalPolls();
    expect(repliesIn(post.ts)).toHaveLength(3);
    expect(await bot.bot.outbox.size()).toBe(0);
    expect(await bot.metrics.getSingleMetricAsString('session_ttl_bot_chat_outbox_total')).toMatch(
      /outcome="given_up",kind="alert-reply"} 1/,
    );
  });

  it('a reply Slack refuses for good (not_in_channel) is not kept; the dedupe claim is released, so the redelivery is answered', async () => {
    const bot = await start();
    f.slack.failMethod('chat.postMessage', 'not_in_channel', 1);
    const post = alertPost('dev');
    await deliver(bot.url, post);
    await eventually('the flow to give the post up', () =>
      bot.logs.lines.find((l) => String(l.msg).startsWith('could not answer the alert post')),
    );
    expect(await bot.bot.outbox.size()).toBe(0);

    // When: Slack delivers the event again (same event id).
    await deliver(bot.url, post, 1);
    await f.slack.waitFor(
      'chat.postMessage',
      (c) => c.body.thread_ts === post.ts && f.slack.callsOf('chat.postMessage').indexOf(c) === 1,
    );
    await bot.bot.idle();
    expect(repliesIn(post.ts)).toHaveLength(2);
  });

  it('a slash report Slack refuses (HTTP 500, 2 calls) reaches the user at once through response_url and the channel exactly once when Slack is back', async () => {
    const bot = await start();
    f.slack.failMethodHttp('chat.postMessage', 500, 2);
    await bot.slash('diagnose dev server-info', 'outbox-report', 'C07REPORT');
    const ephemeral = await f.slack.waitForResponse(
      (r) => r.id === 'outbox-report' && String(r.body.text).includes('could not post'),
    );
    expect(ephemeral.body.text).toContain('I will post it in the channel once Slack takes it');
    expect(ephemeral.body.response_type).toBe('ephemeral');
    await eventually('the outbox to deliver', () =>
      bot.logs.lines.find((l) => l.msg === 'posted a message that Slack had refused earlier'),
    );
    await severalPolls();
    await bot.bot.outbox.flush();
    const posts = f.slack.callsOf('chat.postMessage').filter((c) => c.body.channel === 'C07REPORT');
    expect(posts).toHaveLength(3);
    expect(isDiagnosis(posts[2]!)).toBe(true);
    expect(await bot.bot.outbox.size()).toBe(0);
  });

  it('a slash report that went through is posted once and nothing is kept', async () => {
    const bot = await start();
    await bot.slash('diagnose dev server-info', 'outbox-ok', 'C07OK');
    await f.slack.waitFor('chat.postMessage', (c) => c.body.channel === 'C07OK');
    await bot.bot.idle();
    await severalPolls();
    expect(f.slack.callsOf('chat.postMessage').filter((c) => c.body.channel === 'C07OK')).toHaveLength(1);
    expect(
      f.slack.responses.filter((r) => r.id === 'outbox-ok' && String(r.body.text).includes('could not post')),
    ).toEqual([]);
    expect(await bot.bot.outbox.size()).toBe(0);
  });
});

describe('the queue of the state store, in memory (one replica)', () => {
  it('hands a due entry out once per lease, in due order, and forgets removed and expired ones', async () => {
    let now = 1000;
    const store = memoryStateStore({ now: () => now });
    await store.enqueue('q', 'later', 'v2', 5000, 60_000);
    await store.enqueue('q', 'one', 'v1', 1000, 60_000);
    await store.enqueue('q', 'short', 'v3', 0, 10);
    now = 2000;
    expect(await store.takeDue('q', 2000, 500, 10)).toEqual([{ id: 'one', value: 'v1' }]);
    expect(await store.takeDue('q', 2499, 500, 10)).toEqual([]);
    expect(await store.takeDue('q', 2500, 500, 10)).toEqual([{ id: 'one', value: 'v1' }]);
    await store.remove('q', 'one');
    expect(await store.size('q')).toBe(1);
    expect(await store.takeDue('q', 10_000, 500, 10)).toEqual([{ id: 'later', value: 'v2' }]);
  });
});

describe('the queue of the Redis state store (the outbox shared by replicas)', () => {
  let admin: Redis;
  const replicas: Redis[] = [];
  beforeAll(async () => {
    admin = await resetSharedRedis();
    replicas.push(new Redis(sharedRedisUrl()), new Redis(sharedRedisUrl()));
  });
  afterAll(() => {
    for (const c of [admin, ...replicas]) c?.disconnect();
  });
  beforeEach(async () => {
    await admin.flushall();
  });

  it('hands a due entry to exactly one of two racing replicas, and again once its lease ran out', async () => {
    const [a, b] = replicas.map((r) => redisStateStore(r));
    await a!.enqueue('q', 'one', 'v1', 1000, 60_000);
    await a!.enqueue('q', 'later', 'v2', 5000, 60_000);
    const taken = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a! : b!).takeDue('q', 2000, 500, 10)),
    );
    expect(taken.flat()).toEqual([{ id: 'one', value: 'v1' }]);
    // The lease ends at 2500: before it nobody takes it, after it the next caller does.
    expect(await b!.takeDue('q', 2499, 500, 10)).toEqual([]);
    expect(await b!.takeDue('q', 2500, 500, 10)).toEqual([{ id: 'one', value: 'v1' }]);
    await b!.remove('q', 'one');
    expect(await a!.size('q')).toBe(1);
    expect(await a!.takeDue('q', 10_000, 500, 10)).toEqual([{ id: 'later', value: 'v2' }]);
  });

  it('writes only namespaced keys that expire; an expired entry is never handed out', async () => {
    const store = redisStateStore(replicas[0]!);
    // 2 s: long enough to be listed below on a loaded machine, short enough to wait out.
    await store.enqueue('q', 'short', 'v', 0, 2000);
    await store.enqueue('q', 'long', 'v', 0, 60_000);
    const keys = (await admin.keys('*')).sort();
    expect(keys).toEqual(['session-ttl-bot:queue:q', 'session-ttl-bot:queue:q:long', 'session-ttl-bot:queue:q:short']);
    for (const k of keys) expect(await admin.pttl(k)).toBeGreaterThan(0);
    await eventually(
      'the short entry to expire',
      async () => (await admin.exists('session-ttl-bot:queue:q:short')) === 0,
    );
    expect((await store.takeDue('q', 1, 1000, 10)).map((e) => e.id)).toEqual(['long']);
    expect(await store.size('q')).toBe(1);
  });
});
