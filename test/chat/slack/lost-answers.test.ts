import { describe, expect, it } from 'vitest';
import { redisStateStore } from '../../../src/adapters/state/redis-state-store.js';
import { t } from '../../../src/core/message.js';
import { ChatError } from '../../../src/core/ports/chat.js';
import type { FakeMessage } from '../../fakes/slack-api.js';
import type { TestBot } from '../../support/bot-harness.js';
import { eventually } from '../../support/eventually.js';
import { alertPost, deliver } from './alert-events.js';
import { useOutboxBots } from './outbox-bots.js';

const INCIDENT = 'C07LOSTINC';
const REPORTS = 'C07LOSTREP';
const POLL_MS = 10;
/** How long a wait may take on a loaded machine (it bounds only how long a failing test takes). */
const WAIT = { timeoutMs: 30_000 };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What makes two messages the same post shown twice: where they are and what they say. */
const identity = (m: FakeMessage) => `${m.channel}|${m.thread_ts ?? ''}|${m.text ?? ''}|${JSON.stringify(m.blocks)}`;
const keyOf = (m: FakeMessage) => (m.metadata?.event_payload as { key?: string } | undefined)?.key;

describe("no double post when Slack's answer is lost (issue 19)", () => {
  const f = useOutboxBots({ name: 'lost-answers-test', incident: INCIDENT });

  /**
   * The real bot over the real Redis state store with the Web API client's default 3 retries; the pauses
   * between tries (of keyed posts and of the outbox) are short.
   */
  function start(outboxDelaysMs: readonly number[] = [30, 30, 30], webApiTimeoutMs?: number) {
    return f.start({
      webApiRetries: 3,
      postRetryDelaysMs: [10, 20, 40],
      ...(webApiTimeoutMs ? { webApiTimeoutMs } : {}),
      outbox: { delaysMs: outboxDelaysMs, pollMs: POLL_MS },
    });
  }

  /** `n` alert posts in the incident channel (in Slack's history, as Alertmanager posted them), delivered. */
  async function alertPosts(bot: TestBot, n: number) {
    const posts = Array.from({ length: n }, () => alertPost('dev', INCIDENT));
    for (const p of posts)
      f.slack.addMessage({ channel: INCIDENT, ts: p.ts, text: p.event.text, bot_id: 'B07ALRTMGR' });
    const answers = await Promise.all(posts.map((p) => deliver(bot.url, p)));
    expect(answers.map((a) => a.status)).toEqual(posts.map(() => 200));
    return posts;
  }
  const repliesIn = (ts: string) => f.slack.messagesIn(INCIDENT, ts).filter((m) => m.ts !== ts);
  /** Every message the bot posted: the replies in the threads and the reports. */
  const botMessages = (threads: readonly string[]) => [...threads.flatMap(repliesIn), ...f.slack.messagesIn(REPORTS)];
  const duplicates = (ms: FakeMessage[]) => ms.length - new Set(ms.map(identity)).size;
  const lines = (bot: TestBot, msg: string) => bot.logs.lines.filter((l) => l.msg === msg);
  /** Until the bot is idle and the outbox has nothing left (several polls, so anything due was tried). */
  async function settled(bot: TestBot & { bot: { outbox: { size(): Promise<number> } } }) {
    await bot.bot.idle();
    await eventually('the outbox to empty', async () => (await bot.bot.outbox.size()) === 0, WAIT);
    await pause(POLL_MS * 15);
    await bot.bot.idle();
  }

  it('(a) 20 posts whose answers are lost (10 alert replies, 10 slash reports): 20 messages, no duplicate', async () => {
    // Given: Slack takes the next 20 posts but answers each with an HTTP 500.
    const bot = await start();
    f.slack.loseAnswers('chat.postMessage', 20);

    // When: 10 alert posts arrive and 10 people ask for a report in one channel.
    const posts = await alertPosts(bot, 10);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => bot.slash('diagnose dev server-info', `lost${i}`, REPORTS, `U0LOST${i}`)),
    );
    await eventually(
      'a reply in every thread and 10 reports',
      () =>
        posts.every((p) => repliesIn(p.ts).length > 0) && f.slack.messagesIn(REPORTS).length >= 10 ? true : undefined,
      WAIT,
    );
    await settled(bot);

    // Then: each post is in Slack once; the bot found each lost try by its key instead of posting again.
    const messages = botMessages(posts.map((p) => p.ts));
    const lost = f.slack.callsOf('chat.postMessage').filter((c) => c.lostAnswer);
    expect({ messages: messages.length, duplicates: duplicates(messages), lost: lost.length }).toEqual({
      messages: 20,
      duplicates: 0,
      lost: 20,
    });
    expect(new Set(messages.map(keyOf)).size).toBe(20);
    expect(lines(bot, 'Slack had taken the post; its answer was lost')).toHaveLength(20);
    expect(await bot.bot.outbox.size()).toBe(0);
  });

  it('(a2) a post Slack takes but never answers (the client times out) is in the channel once', async () => {
    const bot = await start([30, 30, 30], 500);
    f.slack.loseAnswers('chat.postMessage', 1, 'no_answer');
    await bot.slash('diagnose dev server-info', 'noanswer', REPORTS, 'U0NOANSWER');
    await eventually('the report', () => f.slack.messagesIn(REPORTS).length > 0, WAIT);
    await eventually(
      'the lookup to find it',
      () => lines(bot, 'Slack had taken the post; its answer was lost')[0],
      WAIT,
    );
    await settled(bot);
    expect(f.slack.messagesIn(REPORTS)).toHaveLength(1);
    expect(f.slack.callsOf('chat.postMessage').filter((c) => c.lostAnswer === 'no_answer')).toHaveLength(1);
  });

  it('(b) Slack answers 5xx for a stretch of outbox rounds, then loses answers, then is up: every post exactly once', async () => {
    // Given: 60 calls of chat.postMessage refused with a 500 (each post's 4 tries, then the outbox's
    // rounds), and after them 6 taken with the answer lost.
    // 20 outbox rounds of 4 tries: even a post left alone through the whole stretch outlasts it.
    const bot = await start(Array.from({ length: 20 }, () => 30));
    f.slack.failMethodHttp('chat.postMessage', 500, 60);
    f.slack.loseAnswers('chat.postMessage', 6);

    // When: 8 alert posts and 4 slash reports.
    const posts = await alertPosts(bot, 8);
    await Promise.all(
      Array.from({ length: 4 }, (_, i) => bot.slash('diagnose dev server-info', `down${i}`, REPORTS, `U0DOWN${i}`)),
    );
    await eventually(
      'a reply in every thread and 4 reports',
      () =>
        posts.every((p) => repliesIn(p.ts).length > 0) && f.slack.messagesIn(REPORTS).length >= 4 ? true : undefined,
      WAIT,
    );
    await settled(bot);

    // Then: the outbox kept the posts through the outage and each landed once.
    const messages = botMessages(posts.map((p) => p.ts));
    expect({ messages: messages.length, duplicates: duplicates(messages) }).toEqual({ messages: 12, duplicates: 0 });
    for (const p of posts) expect(repliesIn(p.ts)).toHaveLength(1);
    const refused = f.slack.callsOf('chat.postMessage').filter((c) => c.response?.error === 'fake_http_error');
    expect(refused).toHaveLength(60);
    expect(lines(bot, 'Slack refused a message; kept it to post later').length).toBeGreaterThan(0);
    expect(lines(bot, 'Slack refused a postponed message again; will try later').length).toBeGreaterThan(0);
    const outcomes = await bot.metrics.getSingleMetricAsString('session_ttl_bot_chat_outbox_total');
    expect(outcomes).not.toMatch(/outcome="given_up"/);
    expect(f.slack.callsOf('chat.postMessage').filter((c) => c.lostAnswer)).toHaveLength(6);
    expect(lines(bot, 'Slack had taken the post; its answer was lost')).toHaveLength(6);
  });

  it('(c) an outbox entry whose post Slack already has is not posted again (already_posted)', async () => {
    // Given: a report kept in the outbox whose try Slack had taken (say, the lookup had failed then).
    const bot = await start();
    const key = 'k-already-there';
    f.slack.addMessage({
      channel: REPORTS,
      text: 'the report',
      metadata: { event_type: 'session_ttl_bot_post', event_payload: { key } },
    });
    const message = { text: 'the report', blocks: [{ kind: 'section' as const, text: [t('the report')] }] };
    const kept = await bot.bot.outbox.postpone(
      { channel: REPORTS, message, kind: 'report', key },
      new ChatError('unavailable', 'http_500'),
    );
    expect(kept).toBe(true);

    // When: the outbox's worker takes it.
    await eventually(
      'the outbox to find it',
      () => lines(bot, 'Slack already had a postponed message (its answer was lost); not posting it again')[0],
      WAIT,
    );
    await settled(bot);

    // Then: not posted again, and counted.
    expect(f.slack.callsOf('chat.postMessage')).toEqual([]);
    expect(f.slack.messagesIn(REPORTS)).toHaveLength(1);
    expect(await bot.metrics.getSingleMetricAsString('session_ttl_bot_chat_outbox_total')).toMatch(
      /outcome="already_posted",kind="report"} 1/,
    );
    const lookup = f.slack.callsOf('conversations.history')[0];
    expect(lookup?.body).toMatchObject({ channel: REPORTS, include_all_metadata: 'true' });
  });

  it('(c2) an outbox entry of an older version (no key) gets one, and its post carries it', async () => {
    const bot = await start();
    const entry = {
      channel: REPORTS,
      kind: 'report',
      message: { text: 'old entry', blocks: [{ kind: 'section', text: [{ text: 'old entry' }] }] },
      attempts: 1,
      firstFailedAt: Date.now(),
    };
    await redisStateStore(f.admin).enqueue('chat-outbox', 'old-1', JSON.stringify(entry), 0, 60_000);
    await eventually('the old entry to be posted', () => f.slack.messagesIn(REPORTS)[0], WAIT);
    await settled(bot);
    const [posted] = f.slack.messagesIn(REPORTS);
    expect(f.slack.messagesIn(REPORTS)).toHaveLength(1);
    expect(keyOf(posted!)).toMatch(/^[0-9a-f-]{36}$/);
    expect(posted!.metadata?.event_type).toBe('session_ttl_bot_post');
  });

  it('(d) when the lookup fails too, the post is sent again at most once more, and that is logged', async () => {
    // Given: the first try is taken with its answer lost, and Slack's history cannot be read.
    const bot = await start();
    f.slack.loseAnswers('chat.postMessage', 1);
    f.slack.failMethodHttp('conversations.replies', 500);
    f.slack.failMethodHttp('conversations.history', 500);

    // When: an alert post arrives.
    const [post] = await alertPosts(bot, 1);
    await eventually('two tries', () => f.slack.callsOf('chat.postMessage').length >= 2, WAIT);
    await settled(bot);

    // Then: the reply shows twice (the one duplicate a failed lookup allows), never three times; logged.
    expect(repliesIn(post!.ts)).toHaveLength(2);
    expect(f.slack.callsOf('chat.postMessage')).toHaveLength(2);
    const line = lines(bot, 'could not look for an earlier try of a post; posting it again (it may show twice)')[0];
    expect(line).toMatchObject({ level: 40, channel: INCIDENT, threadTs: post!.ts, attempt: 1 });
    expect(await bot.bot.outbox.size()).toBe(0);
  });

  it('(e) a keyed post Slack rate-limits (429) waits Retry-After and is posted once, without a lookup (a 429 takes nothing)', async () => {
    const bot = await start();
    f.slack.failMethodHttp('chat.postMessage', 429, 1);
    await bot.slash('diagnose dev server-info', 'limited', REPORTS, 'U0LIMITED');
    await eventually('the report', () => f.slack.messagesIn(REPORTS)[0], WAIT);
    await settled(bot);
    const [first, second] = f.slack.callsOf('chat.postMessage');
    expect(f.slack.messagesIn(REPORTS)).toHaveLength(1);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    expect(f.slack.callsOf('conversations.history')).toEqual([]);
    expect(await bot.bot.outbox.size()).toBe(0);
  });
});
