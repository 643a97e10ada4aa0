import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BotSettings } from '../../../src/config/bot-settings.js';
import { parseConfig, type Config } from '../../../src/config/config.js';
import { evictionPolicyCheck } from '../../../src/diagnostics/checks/eviction-policy.js';
import { memoryCheck } from '../../../src/diagnostics/checks/memory.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { ttlSampleCheck } from '../../../src/diagnostics/checks/ttl-sample.js';
import { redisStateStore } from '../../../src/adapters/state/redis-state-store.js';
import { createBot, type Bot } from '../../../src/bot.js';
import { createSourceCache, type SourceCache } from '../../../src/app/sources.js';
import { CORPUS_ROUTING, loadCorpus } from '../../alerts/corpus.js';
import { startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../../fakes/slack-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { captureLogs, type CapturedLogs } from './log-capture.js';

const SIGNING_SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const BOT_TOKEN = 'xoxb-7777-6666-webhooktoken';
const AM_TOKEN = 'am-0123456789abcdef-secret';
const ALERTS = 'C0ALERTS';

const corpus = loadCorpus<{ ok: boolean; reasonIncludes?: string[] }>('alertmanager');
const body = (name: string) => structuredClone(corpus.find((f) => f.name === name)!.input) as Record<string, any>;

interface Posted {
  status: number;
  json: any;
  receivedAt: number;
}

async function post(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Posted> {
  const res = await fetch(`${url}/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}`, ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, receivedAt: Date.now() };
}

const findingIds = (c: SlackApiCall) =>
  ((c.body.blocks ?? []) as { block_id?: string }[]).flatMap((b) =>
    b.block_id?.startsWith('finding:') ? [b.block_id] : [],
  );

describe('POST /alertmanager on the real bot', () => {
  let slack: FakeSlackApi;
  let admin: Redis;
  let config: Config;
  let sources: SourceCache;
  const clients: Redis[] = [];
  let logs: CapturedLogs;
  let bot: Bot;
  let url: string;
  const extraBots: Bot[] = [];

  async function startBot(
    opts: { token?: string; config?: Config; logs?: CapturedLogs } = {},
  ): Promise<{ bot: Bot; url: string }> {
    const state = new Redis(sharedRedisUrl());
    clients.push(state);
    const settings: BotSettings = {
      mode: 'http',
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      slackApiUrl: slack.apiUrl,
      port: 0,
      logLevel: 'debug',
    };
    const b = createBot({
      settings,
      config: opts.config ?? config,
      registry: createCheckRegistry([ttlSampleCheck, memoryCheck, evictionPolicyCheck]),
      sourcesFor: sources.sourcesFor,
      logger: (opts.logs ?? logs).logger,
      hostname: '127.0.0.1',
      webApiRetries: 0,
      alerts: {
        stateStore: redisStateStore(state),
        ...('token' in opts ? (opts.token ? { alertmanagerToken: opts.token } : {}) : { alertmanagerToken: AM_TOKEN }),
      },
    });
    return { bot: b, url: `http://127.0.0.1:${(await b.start()).port}` };
  }

  const configWith = (slackSection: Record<string, unknown>) =>
    parseConfig(
      {
        environments: {
          dev: { profile: 'development', redis: { url: sharedRedisUrl() } },
          staging: { profile: 'staging', redis: { url: sharedRedisUrl() } },
          prod: { profile: 'production', redis: { url: sharedRedisUrl() } },
        },
        defaults: { rateWindowMs: 0, sampleSize: 200 },
        slack: { alertRouting: { aliases: CORPUS_ROUTING.aliases }, ...slackSection },
      },
      'alertmanager-webhook-test',
    );

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    admin = await resetSharedRedis();
    config = configWith({ alertChannel: ALERTS });
    sources = createSourceCache({});
    logs = captureLogs();
    ({ bot, url } = await startBot());
  });

  afterAll(async () => {
    await bot?.stop();
    await sources?.close();
    await slack?.close();
    for (const c of [admin, ...clients]) c?.disconnect();
  });

  beforeEach(async () => {
    await admin.flushall();
    // Given 3 of 13 sessions without a TTL (ttl.no_expiry).
    const pipe = admin.pipeline();
    for (let i = 0; i < 10; i++) pipe.set(`session:ok${i}`, '{}', 'EX', 80_000 + i);
    for (let i = 0; i < 3; i++) pipe.set(`session:forever${i}`, '{}');
    await pipe.exec();
    slack.reset();
    logs.lines.length = 0;
  });

  afterEach(async () => {
    for (const b of extraBots.splice(0)) await b.stop();
  });

  it('answers 200 at once, posts one message for the group and the diagnosis in its thread', async () => {
    const res = await post(url, body('firing'));
    expect(res).toMatchObject({ status: 200, json: { ok: true } });
    await bot.idle();

    const posts = slack.callsOf('chat.postMessage');
    const [group, diagnosis] = posts;
    expect(posts).toHaveLength(2);
    // The answer came before the group message was posted: the work runs after the response.
    expect(res.receivedAt).toBeLessThanOrEqual(group!.at);
    expect(group!.body).toMatchObject({ channel: ALERTS });
    expect(group!.body.thread_ts).toBeUndefined();
    expect(group!.body.blocks[0].text.text).toBe('🔥 [FIRING:1] SessionTTLViolations');
    expect(group!.body.blocks[1].text.text).toMatch(/:red_circle: `SessionTTLViolations` firing in \*prod\*/);
    expect(group!.body.blocks[1].text.text).toMatch(
      /:white_check_mark: `SessionTTLViolations` resolved in \*staging\*/,
    );

    // The diagnosis of prod (the firing alert) is a thread reply; staging resolved without an incident: no reply.
    const groupTs = (await groupRecord()).ts;
    expect(diagnosis!.body).toMatchObject({ channel: ALERTS, thread_ts: groupTs });
    expect(diagnosis!.body.blocks[0].text.text).toMatch(/^Session TTL diagnosis: prod/);
    expect(findingIds(diagnosis!)).toContain('finding:ttl.no_expiry');
    expect(logs.lines.filter((l) => l.level > 40)).toEqual([]);
  });

  async function groupRecord(): Promise<{ channel: string; ts: string; firedAt: number }> {
    const [key] = await admin.keys('session-ttl-bot:amgroup:*');
    return JSON.parse((await admin.get(key!))!) as { channel: string; ts: string; firedAt: number };
  }

  it('the same notification again (a retry, an HA peer) posts nothing more', async () => {
    await post(url, body('firing'));
    await bot.idle();
    expect((await post(url, body('firing'))).status).toBe(200);
    await bot.idle();
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
    expect(slack.callsOf('chat.update')).toHaveLength(0);
    expect(logs.lines.some((l) => /already handled/.test(l.msg))).toBe(true);
  });

  it('a resolved notification updates the group message and the diagnosis, and replies in the thread', async () => {
    await post(url, body('firing'));
    await bot.idle();
    const group = await groupRecord();
    const diagnosis = slack.callsOf('chat.postMessage')[1]!;
    const cooldown = JSON.parse((await admin.get('session-ttl-bot:cooldown:sessionttlviolations:prod'))!) as {
      diagnosis: { ts: string };
    };

    // When: the group resolves (env "production", an alias of prod) 70 minutes after it started.
    expect((await post(url, body('resolved'))).status).toBe(200);
    await bot.idle();

    const updates = slack.callsOf('chat.update');
    const groupUpdate = updates.find((u) => u.body.ts === group.ts);
    expect(groupUpdate!.body.blocks[0].text.text).toBe('✅ Resolved after 1 h 10 min · SessionTTLViolations');
    const diagnosisUpdate = updates.find((u) => u.body.ts === cooldown.diagnosis.ts);
    expect(diagnosisUpdate!.body.blocks[0].text.text).toMatch(
      /^✅ Resolved after 1 h 10 min · Session TTL diagnosis: prod/,
    );
    expect(findingIds(diagnosisUpdate!)).toEqual(findingIds(diagnosis));
    const replies = slack.callsOf('chat.postMessage').slice(2);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toMatchObject({ channel: ALERTS, thread_ts: group.ts });
    expect(replies[0]!.body.text).toMatch(/`SessionTTLViolations` in \*prod\* resolved after 1 h 10 min/);
    // The group is closed: its record is gone.
    expect(await admin.keys('session-ttl-bot:amgroup:*')).toEqual([]);
  });

  it('a resolved notification for a group never posted posts nothing', async () => {
    expect((await post(url, body('resolved'))).status).toBe(200);
    await bot.idle();
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('refuses a missing or wrong token with 401 and posts nothing; the token never reaches the log', async () => {
    const missing = await post(url, body('firing'), { authorization: '' });
    const wrong = await post(url, body('firing'), { authorization: 'Bearer am-0123456789abcdef-secreT' });
    const shorter = await post(url, body('firing'), { authorization: 'Bearer am-0123' });
    const basic = await post(url, body('firing'), {
      authorization: `Basic ${Buffer.from(`x:${AM_TOKEN}`).toString('base64')}`,
    });
    for (const r of [missing, wrong, shorter, basic]) expect(r.status).toBe(401);
    expect(missing.json.error).toMatch(/no bearer token/);
    expect(wrong.json.error).toMatch(/wrong bearer token/);
    await bot.idle();
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
    expect(logs.raw()).not.toContain(AM_TOKEN);
    expect(logs.raw()).not.toContain('am-0123');
  });

  it('refuses malformed bodies with 400 and the reason, and posts nothing', async () => {
    const notJson = await post(url, '{"version": "4", ');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/^body is not valid JSON/);
    for (const name of ['malformed', 'wrong-version']) {
      const res = await post(url, body(name));
      expect(res.status).toBe(400);
      for (const part of corpus.find((f) => f.name === name)!.expected.reasonIncludes!)
        expect(res.json.error).toContain(part);
    }
    const array = await post(url, '[]');
    expect(array.json.error).toMatch(/expected a JSON object, got array/);
    await bot.idle();
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
    expect(logs.lines.filter((l) => l.level > 40)).toEqual([]);
  });

  it('refuses a body over 256 KiB with 413', async () => {
    const big = body('firing');
    big.commonAnnotations.description = 'x'.repeat(300 * 1024);
    const res = await post(url, big);
    expect(res.status).toBe(413);
    await bot.idle();
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('an alert the bot does not answer posts nothing; an unmapped environment gets the mapping request in the thread', async () => {
    const unknown = body('firing');
    for (const a of unknown.alerts) a.labels.alertname = 'NodeHighCPU';
    unknown.groupLabels = { alertname: 'NodeHighCPU' };
    unknown.commonLabels.alertname = 'NodeHighCPU';
    expect((await post(url, unknown)).status).toBe(200);
    await bot.idle();
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);

    const unmapped = body('firing');
    unmapped.groupKey = '{}:{alertname="SessionTTLViolations",env="qa"}';
    unmapped.alerts = [unmapped.alerts[0]];
    unmapped.alerts[0].labels.env = 'qa';
    await post(url, unmapped);
    await bot.idle();
    const [group, ask] = slack.callsOf('chat.postMessage');
    expect(group!.body.blocks[1].text.text).toMatch(/_environment unknown_/);
    expect(ask!.body.thread_ts).toBe((await groupRecord()).ts);
    expect(ask!.body.text).toMatch(/`env`=`qa`/);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('two bot instances sharing one Redis state store post once in total', async () => {
    const second = await startBot();
    extraBots.push(second.bot);
    const results = await Promise.all([post(url, body('firing')), post(second.url, body('firing'))]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    await Promise.all([bot.idle(), second.bot.idle()]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('without ALERTMANAGER_TOKEN the route answers 503 and the log says why', async () => {
    const quietLogs = captureLogs();
    const off = await startBot({ token: undefined, logs: quietLogs });
    extraBots.push(off.bot);
    const res = await post(off.url, body('firing'));
    expect(res.status).toBe(503);
    expect(res.json.error).toMatch(/ALERTMANAGER_TOKEN is not set/);
    expect(quietLogs.lines.find((l) => /ALERTMANAGER_TOKEN is not set/.test(l.msg))?.level).toBe(40);
    await off.bot.idle();
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('without slack.alertChannel the route answers 503 after the token check', async () => {
    const off = await startBot({ config: configWith({}) });
    extraBots.push(off.bot);
    expect((await post(off.url, body('firing'), { authorization: 'Bearer nope-nope-nope-nope' })).status).toBe(401);
    const res = await post(off.url, body('firing'));
    expect(res.status).toBe(503);
    expect(res.json.error).toMatch(/slack\.alertChannel is not set/);
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('answers other methods with 405', async () => {
    expect((await fetch(`${url}/alertmanager`)).status).toBe(405);
  });
});
