import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BotSettings } from '../../../src/config/bot-settings.js';
import { parseConfig, type Config } from '../../../src/config/config.js';
import { envCheck } from '../../../src/diagnostics/checks/env-check.js';
import { evictionPolicyCheck } from '../../../src/diagnostics/checks/eviction-policy.js';
import { memoryCheck } from '../../../src/diagnostics/checks/memory.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { ttlSampleCheck } from '../../../src/diagnostics/checks/ttl-sample.js';
import { markResolved, renderMappingRequest, renderResolvedReply } from '../../../src/alerts/alert-reply.js';
import type { Message } from '../../../src/core/message.js';
import { toBlockKit } from '../../../src/chat/slack/render/block-kit.js';
import { redisStateStore } from '../../../src/adapters/state/redis-state-store.js';
import { createBot, type Bot } from '../../../src/bot.js';
import { createSourceCache, type SourceCache } from '../../../src/app/sources.js';
import { CORPUS_ROUTING, loadCorpus } from '../../alerts/corpus.js';
import { FAKE_IDS, startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../../fakes/slack-api.js';
import { buildSignedRequest, sendSigned, type SentRequest } from '../../fakes/slack-signing.js';
import { startRedisServer } from '../../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { captureLogs, type CapturedLogs } from './log-capture.js';

const SIGNING_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const BOT_TOKEN = 'xoxb-4444-5555-alertreplytoken';
const INCIDENT = 'C06INCIDENT';

interface ExpectedPost {
  alertPost: boolean;
  fromBot?: boolean;
  alerts?: { alertname: string; status: string; env: string | null; kind: string | null }[];
}

const corpus = loadCorpus<ExpectedPost>('slack');
const fixture = (name: string) => structuredClone(corpus.find((f) => f.name === name)!.input) as Record<string, any>;

/** The diagnoses a fixture should get: one per known alert + environment that fires, from a bot. */
function expectedDiagnoses(e: ExpectedPost): string[] {
  if (!e.alertPost || !e.fromBot) return [];
  const firing = (e.alerts ?? []).filter((a) => a.kind && a.env && a.status === 'firing');
  return [...new Set(firing.map((a) => `${a.kind}@${a.env}`))].sort();
}

const diagnosisFixtures = corpus.filter((f) => expectedDiagnoses(f.expected).length > 0);

let eventSeq = 0;
const newEventId = () => `Ev${Date.now().toString(36)}${++eventSeq}`;

function envelope(event: Record<string, any>, eventId: string): Record<string, unknown> {
  return {
    token: 'deprecated-verification-token',
    team_id: FAKE_IDS.team,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event,
  };
}

/** Sends an Events API delivery; `retryNum` adds Slack's retry headers, `ageSec` back-dates the signature (a new one). */
function deliver(
  baseUrl: string,
  event: Record<string, any>,
  opts: { eventId?: string; retryNum?: number; ageSec?: number } = {},
): Promise<SentRequest> {
  const body = JSON.stringify(envelope(event, opts.eventId ?? newEventId()));
  const req = buildSignedRequest(`${baseUrl}/slack/events`, body, {
    signingSecret: SIGNING_SECRET,
    timestampSec: Math.floor(Date.now() / 1000) - (opts.ageSec ?? 0),
    contentType: 'application/json',
  });
  if (opts.retryNum !== undefined) {
    req.headers['x-slack-retry-num'] = String(opts.retryNum);
    req.headers['x-slack-retry-reason'] = 'http_timeout';
  }
  return sendSigned(req);
}

const findingIds = (c: SlackApiCall) =>
  ((c.body.blocks ?? []) as { block_id?: string }[]).flatMap((b) =>
    b.block_id?.startsWith('finding:') ? [b.block_id] : [],
  );
const isDiagnosis = (c: SlackApiCall) =>
  c.method === 'chat.postMessage' &&
  ((c.body.blocks ?? []) as { block_id?: string }[]).some((b) => b.block_id === 'alert-origin');

describe('alert posts in the incident channel, answered by the real Bolt app', () => {
  let slack: FakeSlackApi;
  let admin: Redis;
  let config: Config;
  let sources: SourceCache;
  const stateClients: Redis[] = [];
  let logs: CapturedLogs;
  let bot: Bot;
  let baseUrl: string;
  let barrierSeq = 0;

  function makeBot(logger = logs.logger): Bot {
    const state = new Redis(sharedRedisUrl());
    stateClients.push(state);
    const settings: BotSettings = {
      mode: 'http',
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      slackApiUrl: slack.apiUrl,
      port: 0,
      logLevel: 'debug',
    };
    return createBot({
      settings,
      config,
      registry: createCheckRegistry([envCheck, ttlSampleCheck, memoryCheck, evictionPolicyCheck]),
      sourcesFor: sources.sourcesFor,
      logger,
      hostname: '127.0.0.1',
      webApiRetries: 0,
      alerts: { stateStore: redisStateStore(state) },
    });
  }

  /**
   * Waits until everything sent before has been handled: a post the bot answers without a diagnosis
   * (an unmapped environment) is answered, and the bot has no background work left.
   */
  async function settle(target = bot, url = baseUrl): Promise<void> {
    const ts = `1719000000.${String(++barrierSeq).padStart(6, '0')}`;
    const res = await deliver(url, {
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B06ALRTMGR1',
      channel: INCIDENT,
      ts,
      text: 'Alert: SessionTTLViolations\nLabels: env=barrier',
    });
    expect(res.status).toBe(200);
    await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === ts);
    await target.idle();
  }

  /** Replies to real posts, leaving out the barrier's. */
  const replies = () =>
    slack.callsOf('chat.postMessage').filter((c) => !String(c.body.thread_ts).startsWith('1719000000.'));

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    admin = await resetSharedRedis();
    const down = await startRedisServer();
    await down.stop();
    config = parseConfig(
      {
        environments: {
          dev: { profile: 'development', redis: { url: sharedRedisUrl() } },
          staging: { profile: 'staging', redis: { url: sharedRedisUrl() } },
          prod: { profile: 'production', redis: { url: sharedRedisUrl() } },
          down: { profile: 'production', redis: { url: down.url, connectTimeoutMs: 300 } },
        },
        defaults: { rateWindowMs: 0, sampleSize: 200 },
        slack: {
          incidentChannels: [INCIDENT],
          alertCooldownMinutes: 15,
          alertRouting: { aliases: CORPUS_ROUTING.aliases },
        },
      },
      'alert-reply-test',
    );
    sources = createSourceCache({});
    logs = captureLogs();
    bot = makeBot();
    baseUrl = `http://127.0.0.1:${(await bot.start()).port}`;
  });

  afterAll(async () => {
    await bot?.stop();
    await sources?.close();
    await slack?.close();
    for (const c of [admin, ...stateClients]) c?.disconnect();
  });

  beforeEach(async () => {
    await admin.flushall();
    // Given a store where 5 of 25 sessions never expire (ttl.no_expiry).
    const pipe = admin.pipeline();
    for (let i = 0; i < 20; i++) pipe.set(`session:ok${i}`, '{}', 'EX', 3000 + i);
    for (let i = 0; i < 5; i++) pipe.set(`session:forever${i}`, '{}');
    await pipe.exec();
    slack.reset();
    logs.lines.length = 0;
  });

  it.each(diagnosisFixtures.map((f) => [f.name, f] as const))(
    "%s: one diagnosis per alert + environment, in the post's thread, with the findings",
    async (_name, f) => {
      const event = fixture(f.name);
      const res = await deliver(baseUrl, event);
      expect(res.status).toBe(200);
      await settle();

      const diagnoses = replies().filter(isDiagnosis);
      const expected = expectedDiagnoses(f.expected);
      expect(diagnoses).toHaveLength(expected.length);
      for (const d of diagnoses) {
        expect(d.body.channel).toBe(INCIDENT);
        expect(d.body.thread_ts).toBe(event.thread_ts ?? event.ts);
        expect(d.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
        expect(findingIds(d)).toContain('finding:ttl.no_expiry');
        expect(d.body.blocks[0].type).toBe('header');
      }
      const envs = diagnoses.map((d) => /Session TTL diagnosis: (\w+)/.exec(d.body.blocks[0].text.text)?.[1]).sort();
      expect(envs).toEqual(expected.map((e) => e.split('@')[1]).sort());
      // Nothing else was posted for it (no cooldown link, no mapping request).
      expect(replies()).toHaveLength(expected.length);
      expect(logs.lines.filter((l) => l.level > 40)).toEqual([]);
    },
  );

  it('runs only the checks of a related alert (RedisHighMemoryUsage: memory, eviction-policy, ttl-sample)', async () => {
    await deliver(baseUrl, fixture('redis-high-memory'));
    await settle();
    const [d] = replies();
    expect(d && isDiagnosis(d)).toBe(true);
    const origin = d!.body.blocks.find((b: { block_id?: string }) => b.block_id === 'alert-origin');
    expect(origin.elements[0].text).toMatch(/RedisHighMemoryUsage.*staging.*`memory`, `eviction-policy`, `ttl-sample`/);
    const checksLine = d!.body.blocks.at(-1).elements[0].text as string;
    expect(checksLine).toMatch(/`ttl-sample`/);
    expect(checksLine).not.toMatch(/`env-check`/);
  });

  it('RedisSessionStoreDown for an environment whose Redis is down: the thread gets redis.unreachable', async () => {
    const event: Record<string, any> = { ...fixture('default-firing'), ts: '1718040000.000100' };
    event.attachments[0].title = '[FIRING:1] RedisSessionStoreDown (redis down langgraph-agent critical)';
    await deliver(baseUrl, event);
    await settle();
    const [d] = replies();
    expect(d && findingIds(d)).toEqual(['finding:redis.unreachable']);
    expect(logs.lines.filter((l) => l.level > 40)).toEqual([]);
  });

  it('a Slack retry (same event id, x-slack-retry-num: 1) and the same message under a new event id get no second reply', async () => {
    const event = fixture('default-firing');
    const eventId = newEventId();
    await deliver(baseUrl, event, { eventId });
    await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === event.ts);

    // When: Slack retries (a new signature), and the message arrives again under another event id.
    const retry = await deliver(baseUrl, event, { eventId, retryNum: 1, ageSec: 1 });
    const again = await deliver(baseUrl, event, { ageSec: 2 });
    expect([retry.status, again.status]).toEqual([200, 200]);
    await settle();

    // Then: one reply in total.
    expect(replies()).toHaveLength(1);
    const duplicates = logs.lines.filter((l) => l.msg === 'alert post already answered; not replying again');
    expect(duplicates.map((l) => l.duplicateOf).sort()).toEqual(['event', 'message']);
    expect(duplicates.find((l) => l.duplicateOf === 'event')?.retryNum).toBe(1);
  });

  it('firing again within the cooldown links to the earlier diagnosis instead of running again', async () => {
    const first = fixture('default-firing');
    await deliver(baseUrl, first);
    const diagnosis = await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === first.ts);
    await bot.idle();
    const diagnosisTs = await diagnosisTsOf(diagnosis);

    // When: Alertmanager posts the same alert again 4 minutes later.
    const second = { ...fixture('default-firing'), ts: '1718031474.000200' };
    await deliver(baseUrl, second);
    await settle();

    const link = replies().find((c) => c.body.thread_ts === second.ts);
    expect(link && isDiagnosis(link)).toBe(false);
    expect(link!.body.text).toMatch(/fired again in \*prod\*/);
    expect(link!.body.text).toContain(`p${diagnosisTs.replace('.', '')}`);
    expect(link!.body.text).toMatch(/15-minute cooldown/);
    expect(replies().filter(isDiagnosis)).toHaveLength(1);
    // The permalink was asked for, and built from channel + ts because the fake gives none.
    expect(slack.callsOf('chat.getPermalink')[0]?.body).toMatchObject({ channel: INCIDENT, message_ts: diagnosisTs });
  });

  /** The ts the fake Slack gave the diagnosis, as the bot stored it in its cooldown record. */
  async function diagnosisTsOf(call: SlackApiCall): Promise<string> {
    const raw = await admin.get('session-ttl-bot:cooldown:sessionttlviolations:prod');
    const record = JSON.parse(raw ?? '{}') as { diagnosis?: { channel: string; ts: string } };
    expect(record.diagnosis?.channel).toBe(call.body.channel);
    return record.diagnosis!.ts;
  }

  it('a resolved post marks the diagnosis resolved and replies "resolved after 1 h"', async () => {
    const firing = fixture('default-firing');
    await deliver(baseUrl, firing);
    const diagnosis = await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === firing.ts);
    await bot.idle();
    const diagnosisTs = await diagnosisTsOf(diagnosis);

    // When: the resolved post arrives an hour (by its ts) later.
    const resolved = fixture('default-resolved');
    await deliver(baseUrl, resolved);
    await settle();

    // Then: the diagnosis header says it resolved, the findings stay, and the resolved post's thread says how long it took.
    const [update] = slack.callsOf('chat.update');
    expect(update?.body).toMatchObject({ channel: INCIDENT, ts: diagnosisTs });
    expect(update!.body.blocks[0].text.text).toMatch(/^✅ Resolved after 1 h · Session TTL diagnosis: prod/);
    expect(findingIds(update!)).toEqual(findingIds(diagnosis));
    const reply = replies().find((c) => c.body.thread_ts === resolved.ts);
    expect(reply!.body.text).toMatch(/SessionTTLViolations`? in \*prod\* resolved after 1 h\./);
    expect(replies()).toHaveLength(2);

    // And a second resolved post (another ts) finds no open incident: nothing more.
    await deliver(baseUrl, { ...resolved, ts: '1718034900.000300' });
    await settle();
    expect(replies()).toHaveLength(2);
    expect(slack.callsOf('chat.update')).toHaveLength(1);
  });

  it('firing again after it resolved is a new incident: a new diagnosis, not a link to the resolved one', async () => {
    // Given an alert that fired, was diagnosed and resolved, all within the 15-minute cooldown.
    const firing = fixture('default-firing');
    await deliver(baseUrl, firing);
    await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === firing.ts);
    await bot.idle();
    await deliver(baseUrl, fixture('default-resolved'));
    await settle();
    expect(await admin.exists('session-ttl-bot:cooldown:sessionttlviolations:prod')).toBe(0);

    // When: it fires again.
    const again = { ...fixture('default-firing'), ts: '1718035000.000400' };
    await deliver(baseUrl, again);
    await settle();

    // Then: its thread gets a diagnosis of its own, and nothing links to the resolved one.
    const reply = replies().filter((c) => c.body.thread_ts === again.ts);
    expect(reply).toHaveLength(1);
    expect(isDiagnosis(reply[0]!)).toBe(true);
    expect(replies().filter(isDiagnosis)).toHaveLength(2);
    expect(replies().some((c) => /fired again/.test(String(c.body.text)))).toBe(false);
    expect(logs.lines.filter((l) => l.level > 40)).toEqual([]);
  });

  it('an alert whose environment cannot be determined gets one reply naming the labels it saw', async () => {
    const event = fixture('incoming-webhook-text');
    event.text = String(event.text).replaceAll('env=dev', 'env=qa').replaceAll('dev', 'qa');
    const eventId = newEventId();
    await deliver(baseUrl, event, { eventId });
    await deliver(baseUrl, event, { eventId, retryNum: 1, ageSec: 1 });
    await settle();

    const asked = replies();
    expect(asked).toHaveLength(1);
    expect(asked[0]!.body.thread_ts).toBe(event.ts);
    expect(asked[0]!.body.text).toMatch(/could not tell which environment `SessionTTLViolations`/);
    expect(asked[0]!.body.text).toMatch(/`env`=`qa`/);
    expect(asked[0]!.body.text).toMatch(/`alerts\.routing`/);
    expect(asked[0]!.body.text).toMatch(/aliases: \{ qa: dev \}/);
  });

  it('garbage, unrelated alerts, people, our own posts and other channels get no reply and no error log', async () => {
    const quiet: Record<string, any>[] = [
      'garbage-empty',
      'garbage-missing-fields',
      'garbage-wrong-types',
      'unrelated-deploy',
      'unknown-alert',
      'human-mention',
      'human-pasted-alert',
    ].map((n) => ({ channel: INCIDENT, ...fixture(n), ...(n.startsWith('garbage') ? { channel: INCIDENT } : {}) }));
    const base = fixture('default-firing');
    quiet.push(
      // Our own diagnosis, as Slack delivers it back (bot token: bot_id and our user id) ...
      { ...base, ts: '1718050000.000001', subtype: undefined, bot_id: FAKE_IDS.bot, user: FAKE_IDS.botUser },
      // ... and as a bot_message with our bot id.
      { ...base, ts: '1718050000.000002', bot_id: FAKE_IDS.bot },
      // The same alert in a channel that is not an incident channel.
      { ...base, ts: '1718050000.000003', channel: 'C0OTHER' },
      // An edit of an alert post.
      { type: 'message', subtype: 'message_changed', channel: INCIDENT, ts: '1718050000.000004', message: base },
    );
    for (const event of quiet) expect((await deliver(baseUrl, event)).status).toBe(200);
    await settle();

    expect(replies()).toEqual([]);
    expect(slack.callsOf('chat.update')).toEqual([]);
    expect(logs.lines.filter((l) => l.level > 40)).toEqual([]);
    expect(logs.raw()).not.toContain(BOT_TOKEN);
    expect(logs.raw()).not.toContain(SIGNING_SECRET);
    // The state store wrote nothing for them: only the barrier's delivery keys and the signatures seen
    // (the replay guard shared by the replicas) exist.
    const keys = await admin.keys('session-ttl-bot:*');
    expect(keys.filter((k) => !k.includes('1719000000.') && !k.includes(':event:') && !k.includes(':replay:'))).toEqual(
      [],
    );
  });

  it('two bot instances sharing one Redis state store reply once in total', async () => {
    const second = makeBot();
    const secondUrl = `http://127.0.0.1:${(await second.start()).port}`;
    try {
      const event = fixture('grafana-firing');
      const eventId = newEventId();
      // When: Slack delivers to one replica, retries on the other, and both get the message under new event ids.
      await Promise.all([
        deliver(baseUrl, event, { eventId }),
        deliver(secondUrl, event, { eventId, retryNum: 1 }),
        deliver(baseUrl, event, { ageSec: 1 }),
        deliver(secondUrl, event, { ageSec: 2 }),
      ]);
      await settle();
      await settle(second, secondUrl);

      // Then: one diagnosis in total.
      expect(replies()).toHaveLength(1);
      expect(replies()[0]!.body.thread_ts).toBe(event.ts);
    } finally {
      await second.stop();
    }
  });
});

describe('alert reply rendering (pure)', () => {
  it('says how long an alert fired in the one duration style, never negative', () => {
    const text = (durationMs: number) =>
      renderResolvedReply({ alertname: 'SessionTTLViolation', env: 'prod', durationMs }).text;
    expect([45_000, 23 * 60_000, 60 * 60_000, 125 * 60_000, 50 * 3600_000].map(text)).toEqual(
      ['45 s', '23 min', '1 h', '2 h 5 min', '2 d 2 h'].map((d) => `SessionTTLViolation in prod resolved after ${d}.`),
    );
    // Clock skew between Slack and the bot must not produce a negative duration.
    expect(text(-3000)).toBe('SessionTTLViolation in prod resolved after 0 ms.');
  });

  it("marks a diagnosis resolved once, keeping the header inside Slack's 150 characters", () => {
    const message: Message = {
      text: 'Session TTL diagnosis for prod: warning',
      blocks: [{ kind: 'header', text: `Session TTL diagnosis: ${'p'.repeat(140)}` }],
    };
    const once = markResolved(message, 23 * 60_000);
    const twice = markResolved(once, 25 * 60_000);
    const header = (m: Message) => (toBlockKit(m).blocks[0] as { text: { text: string } }).text.text;
    expect(header(once)).toMatch(/^✅ Resolved after 23 min · Session TTL diagnosis: p+…$/);
    expect(header(once).length).toBeLessThanOrEqual(150);
    expect(header(twice)).toMatch(/^✅ Resolved after 25 min · Session TTL diagnosis: /);
    expect(header(twice).match(/Resolved/g)).toHaveLength(1);
    expect(twice.text).toBe('✅ Resolved after 25 min · Session TTL diagnosis for prod: warning');
  });

  it('escapes label values from alert posts, so a post cannot make the bot mention @channel', () => {
    const m = toBlockKit(
      renderMappingRequest({
        alertnames: ['SessionTTLViolations'],
        seen: { env: '<!channel> qa' },
        labelKeys: ['env'],
        environments: ['dev', 'prod'],
      }),
    );
    expect(m.text).not.toContain('<!channel>');
    expect(m.text).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(m.blocks)).not.toContain('<!channel>');
  });
});
