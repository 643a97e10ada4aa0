import { Redis } from 'ioredis';
import { memoryStateStore } from '../../src/adapters/state/memory-state-store.js';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { createSourceCache, type SourceCache } from '../../src/app/sources.js';
import { createBot, type Bot, type BotDeps } from '../../src/bot.js';
import type { BotSettings } from '../../src/config/bot-settings.js';
import type { TeamsSettings } from '../../src/config/teams-settings.js';
import type { Config } from '../../src/config/config.js';
import { createCheckRegistry, type CheckRegistry } from '../../src/diagnostics/registry.js';
import { loadCorpus } from '../alerts/corpus.js';
import { captureLogs, type CapturedLogs } from '../chat/slack/log-capture.js';
import { FAKE_IDS, startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { loopbackTls } from '../fakes/loopback-tls.js';
import {
  interactionRequest,
  sendSigned,
  sendSlashCommand,
  type SentRequest,
  type SignedRequest,
  type SignOptions,
} from '../fakes/slack-signing.js';
import { sharedRedisUrl } from './shared-redis.js';

export const SIGNING_SECRET = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const BOT_TOKEN = 'xoxb-9999-8888-harnessbottoken';
export const AM_TOKEN = 'am-harness-0123456789-secret';
export const ALERTS = 'C0ALERTS';

/** The real bot on loopback, as the tests drive it: signed Slack requests in, the fake Slack Web API out. */
export interface TestBot {
  bot: Bot;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  slack: FakeSlackApi;
  logs: CapturedLogs;
  sources: SourceCache;
  /** `/session-ttl <text>` by `user` in `channel`; later replies go to the response_url `responseId` of the fake. */
  slash(text: string, responseId?: string, channel?: string, user?: string): Promise<SentRequest>;
  /** A signed click on a button (`action_id`, `value`) of the message `ts` in `channel`; replies go to `responseId`. */
  click(button: { action_id: string; value: string }, opts?: ClickOptions): Promise<SentRequest>;
  /** The signed request of such a click, so a test can send the very same bytes twice (a replay). */
  clickRequest(button: { action_id: string; value: string }, opts?: ClickOptions): SignedRequest;
  /** How requests are signed now (the secret, and a timestamp from the bot's clock). */
  signing(): SignOptions;
  /** `POST /alertmanager` with the bearer token; the answer and how long it took. */
  alertmanager(body: unknown): Promise<{ status: number; json: any; latencyMs: number }>;
  /** Stops the bot and closes what the harness opened (the fake Slack when it started it, the state Redis). */
  close(): Promise<void>;
}

export interface ClickOptions {
  user?: string;
  channel?: string;
  ts?: string;
  responseId?: string;
  /** The workspace Slack signs for the click (`team.id`, and `user.team_id` unless `userTeam`); default the fake's. */
  team?: string;
  userTeam?: string;
  /** Enterprise Grid: the organization Slack signs (`enterprise.id`). */
  enterprise?: string;
  /** The thread of the clicked message, when it is a reply. */
  threadTs?: string;
}

export interface TestBotOptions {
  config: Config;
  /** Default: no checks. */
  registry?: CheckRegistry;
  /** A fake Slack the test owns (shared by several bots); absent, the harness starts one and closes it. */
  slack?: FakeSlackApi;
  /**
   * Alert posts and `POST /alertmanager` over this state store (`'redis'`: the worker's redis-server);
   * default an in-memory store; `false`: no alert features.
   */
  alerts?: false | 'redis' | NonNullable<BotDeps['alerts']>['stateStore'];
  retryDelaysMs?: readonly number[];
  /**
   * The bot's clock (passed to createBot as `now`); requests are signed with it, so they stay fresh when a
   * test moves it forward. Default real time.
   */
  clock?: () => number;
  /** Anything else createBot takes (graceMs, processEnv, extraCommands, remediation …). */
  extra?: Partial<BotDeps>;
  /** The Teams front end beside Slack (its endpoints on the test's fakes); absent, no Teams. */
  teams?: TeamsSettings;
}

let clickSeq = 0;

function settingsFor(slack: FakeSlackApi): BotSettings {
  return {
    mode: 'http',
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    slackApiUrl: slack.apiUrl,
    port: 0,
    logLevel: 'debug',
  };
}

/** The alerts' state store and how to close it. */
function alertState(opts: TestBotOptions): { deps?: BotDeps['alerts']; close(): void } {
  if (opts.alerts === false) return { close: () => undefined };
  const redis = opts.alerts === 'redis' ? new Redis(sharedRedisUrl()) : undefined;
  const given = opts.alerts === 'redis' ? undefined : opts.alerts;
  const stateStore = redis ? redisStateStore(redis) : (given ?? memoryStateStore());
  return {
    deps: {
      stateStore,
      alertmanagerToken: AM_TOKEN,
      ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
    },
    close: () => redis?.disconnect(),
  };
}

/**
 * The real bot (createBot: Bolt over signed HTTP, the host, the alert webhook) against the fake Slack
 * Web API; its sources are closed by the bot's own shutdown, as in main.ts. The one harness the Slack,
 * reliability and hostile-input tests build on.
 */
export async function startTestBot(opts: TestBotOptions): Promise<TestBot> {
  const slack = opts.slack ?? (await startFakeSlackApi());
  const logs = captureLogs();
  const sources = createSourceCache({});
  const state = alertState(opts);
  const bot = createBot({
    settings: { ...settingsFor(slack), ...(opts.teams ? { teams: opts.teams } : {}) },
    config: opts.config,
    registry: opts.registry ?? createCheckRegistry([]),
    sourcesFor: sources.sourcesFor,
    logger: logs.logger,
    hostname: '127.0.0.1',
    webApiRetries: 0,
    ...(state.deps ? { alerts: state.deps } : {}),
    onClose: [sources.close],
    ...(opts.clock ? { now: opts.clock } : {}),
    ...opts.extra,
    // The fake login endpoint is https (MSAL takes no other authority): Teams' requests trust its test CA
    ...(opts.teams ? { teams: { fetch: loopbackTls().fetch, ...opts.extra?.teams } } : {}),
  });
  const url = `http://127.0.0.1:${(await bot.start()).port}`;
  const clock = opts.clock ?? Date.now;
  const signing = (): SignOptions => ({ signingSecret: SIGNING_SECRET, timestampSec: Math.floor(clock() / 1000) });
  const clickRequest: TestBot['clickRequest'] = (button, o = {}) =>
    interactionRequest(url, clickPayload(slack, button, o), signing());
  return {
    bot,
    url,
    slack,
    logs,
    sources,
    signing,
    slash: (text, responseId = 'cmd', channel = FAKE_IDS.channel, user = 'U0USER') =>
      sendSlashCommand(
        url,
        { text, channel_id: channel, user_id: user, response_url: slack.responseUrl(responseId) },
        signing(),
      ),
    clickRequest,
    click: (button, o = {}) => sendSigned(clickRequest(button, o)),
    async alertmanager(body) {
      const t0 = performance.now();
      const res = await fetch(`${url}/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}` },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined, latencyMs: performance.now() - t0 };
    },
    async close() {
      await bot.stop();
      await sources.close();
      if (!opts.slack) await slack.close();
      state.close();
    },
  };
}

/** A `block_actions` payload as Slack signs it for a click on a message's button. */
export function clickPayload(slack: FakeSlackApi, button: { action_id: string; value: string }, o: ClickOptions) {
  const n = ++clickSeq;
  const channel = o.channel ?? FAKE_IDS.channel;
  const ts = o.ts ?? '1700000000.000100';
  return {
    type: 'block_actions',
    api_app_id: 'A0APP',
    user: { id: o.user ?? 'U0USER', team_id: o.userTeam ?? o.team ?? FAKE_IDS.team },
    team: { id: o.team ?? FAKE_IDS.team },
    ...(o.enterprise ? { enterprise: { id: o.enterprise, name: 'Grid' }, is_enterprise_install: false } : {}),
    channel: { id: channel },
    container: {
      type: 'message',
      channel_id: channel,
      message_ts: ts,
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    },
    message: { ts, type: 'message', ...(o.threadTs ? { thread_ts: o.threadTs } : {}) },
    trigger_id: `trigger-${n}`,
    response_url: slack.responseUrl(o.responseId ?? `click${n}`),
    actions: [
      { action_id: button.action_id, block_id: 'actions', value: button.value, type: 'button', action_ts: '1' },
    ],
  };
}

const firing = loadCorpus<unknown>('alertmanager').find((f) => f.name === 'firing')!.input as Record<string, any>;

/** An Alertmanager notification (version 4) with one firing SessionTTLViolations alert for `env`. */
export function firingNotification(env: string, group = 'g1'): Record<string, any> {
  const body = structuredClone(firing);
  const alert = { ...body.alerts[0], labels: { ...body.alerts[0].labels, env }, fingerprint: `fp-${group}-${env}` };
  return {
    ...body,
    groupKey: `{}:{alertname="SessionTTLViolations", group="${group}"}`,
    alerts: [alert],
    commonLabels: { ...body.commonLabels, env },
  };
}

/** An Alertmanager v4 payload with one firing alert named `alertname`. */
export function alertmanagerPayload(opts: {
  alertname: string;
  labels?: Record<string, string>;
  externalURL?: string;
}): Record<string, unknown> {
  const labels = { alertname: opts.alertname, ...opts.labels };
  return {
    receiver: 'session-ttl-bot',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: 'Sessions are expiring before their expected TTL' },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus-0:9090/graph',
        fingerprint: Math.random().toString(16).slice(2, 18).padEnd(16, '0'),
      },
    ],
    groupLabels: { alertname: opts.alertname },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: opts.externalURL ?? 'https://alertmanager.example.com',
    version: '4',
    groupKey: `{}:{alertname="${opts.alertname}-${Math.random()}"}`,
    truncatedAlerts: 0,
  };
}

/** Canary keys left in Redis by verify. */
export async function canaryKeys(redis: Redis): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'session:ttl-canary-*', 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

/**
 * The copy of `notification` that the second Alertmanager of an HA pair sends: its own external URL, and
 * each alert dated by its own receipt (`startsAt` a few ms later), as Alertmanager does for an alert that
 * came without a start (Grafana, scripts, amtool).
 */
export function peerCopy(notification: Record<string, any>, skewMs: number): Record<string, any> {
  return {
    ...notification,
    externalURL: 'http://alertmanager-1.alertmanager-operated:9093',
    alerts: (notification.alerts as Record<string, any>[]).map((a) => ({
      ...a,
      startsAt: new Date(Date.parse(String(a.startsAt)) + skewMs).toISOString(),
    })),
  };
}
