import type { Redis } from 'ioredis';
import { createSourceCache, type SourceCache } from '../../src/app/sources.js';
import { memoryStateStore } from '../../src/adapters/state/memory-state-store.js';
import { createBot, type Bot, type BotDeps } from '../../src/bot.js';
import type { BotSettings } from '../../src/config/bot-settings.js';
import type { Config } from '../../src/config/config.js';
import type { CheckRegistry } from '../../src/diagnostics/registry.js';
import { loadCorpus } from '../alerts/corpus.js';
import type { FakeSlackApi } from '../fakes/slack-api.js';
import { sendSlashCommand, type SentRequest } from '../fakes/slack-signing.js';
import { captureLogs, type CapturedLogs } from '../chat/slack/log-capture.js';

export const SIGNING_SECRET = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const BOT_TOKEN = 'xoxb-9999-8888-reliabilitytoken';
export const AM_TOKEN = 'am-reliability-0123456789-secret';
export const ALERTS = 'C0ALERTS';

export interface RunningBot {
  bot: Bot;
  url: string;
  logs: CapturedLogs;
  sources: SourceCache;
  slash(text: string, responseId: string, channel?: string): Promise<SentRequest>;
  alertmanager(body: unknown): Promise<{ status: number; latencyMs: number }>;
}

/**
 * The real bot (createBot: Bolt over signed HTTP, the host, the alert webhook) against the fake Slack
 * Web API; its sources are closed by the bot's own shutdown, as in main.ts.
 */
export async function startReliabilityBot(opts: {
  slack: FakeSlackApi;
  config: Config;
  registry: CheckRegistry;
  extra?: Partial<BotDeps>;
  stateStore?: NonNullable<BotDeps['alerts']>['stateStore'];
  retryDelaysMs?: readonly number[];
}): Promise<RunningBot> {
  const logs = captureLogs();
  const sources = createSourceCache({});
  const settings: BotSettings = {
    mode: 'http',
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    slackApiUrl: opts.slack.apiUrl,
    port: 0,
    logLevel: 'debug',
  };
  const bot = createBot({
    settings,
    config: opts.config,
    registry: opts.registry,
    sourcesFor: sources.sourcesFor,
    logger: logs.logger,
    hostname: '127.0.0.1',
    webApiRetries: 0,
    alerts: {
      stateStore: opts.stateStore ?? memoryStateStore(),
      alertmanagerToken: AM_TOKEN,
      ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
    },
    onClose: [sources.close],
    ...opts.extra,
  });
  const url = `http://127.0.0.1:${(await bot.start()).port}`;
  return {
    bot,
    url,
    logs,
    sources,
    slash: (text, responseId, channel = 'C0CHAN') =>
      sendSlashCommand(
        url,
        { text, channel_id: channel, response_url: opts.slack.responseUrl(responseId) },
        { signingSecret: SIGNING_SECRET },
      ),
    async alertmanager(body) {
      const t0 = performance.now();
      const res = await fetch(`${url}/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}` },
        body: JSON.stringify(body),
      });
      await res.text();
      return { status: res.status, latencyMs: performance.now() - t0 };
    },
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
