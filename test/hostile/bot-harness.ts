import { Redis } from 'ioredis';
import type { BotSettings } from '../../src/config/bot-settings.js';
import type { Config } from '../../src/config/config.js';
import { createBot, type Bot } from '../../src/bot.js';
import { createSourceCache, type SourceCache } from '../../src/app/sources.js';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { ttlSampleCheck } from '../../src/diagnostics/checks/ttl-sample.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { sendSlashCommand } from '../fakes/slack-signing.js';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { captureLogs, type CapturedLogs } from '../chat/slack/log-capture.js';

export const SIGNING_SECRET = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const AM_TOKEN = 'am-hostile-0123456789-secret';
export const ALERTS = 'C0ALERTS';

/** The real bot (HTTP mode) on loopback, talking to a fake Slack Web API, with the Alertmanager route. */
export interface HostileBot {
  bot: Bot;
  url: string;
  slack: FakeSlackApi;
  logs: CapturedLogs;
  slash(text: string): Promise<{ status: number; json: any }>;
  alertmanager(payload: unknown): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

export async function startHostileBot(config: Config): Promise<HostileBot> {
  const slack = await startFakeSlackApi();
  const sources: SourceCache = createSourceCache({});
  const state = new Redis(sharedRedisUrl());
  const logs = captureLogs();
  const settings: BotSettings = {
    mode: 'http',
    botToken: 'xoxb-4242-4242-hostiletoken',
    signingSecret: SIGNING_SECRET,
    slackApiUrl: slack.apiUrl,
    port: 0,
    logLevel: 'debug',
  };
  const bot = createBot({
    settings,
    config,
    registry: createCheckRegistry([ttlSampleCheck]),
    sourcesFor: sources.sourcesFor,
    logger: logs.logger,
    hostname: '127.0.0.1',
    webApiRetries: 0,
    alerts: { stateStore: redisStateStore(state), alertmanagerToken: AM_TOKEN },
  });
  const url = `http://127.0.0.1:${(await bot.start()).port}`;
  return {
    bot,
    url,
    slack,
    logs,
    slash: (text) =>
      sendSlashCommand(url, { text, response_url: slack.responseUrl('cmd') }, { signingSecret: SIGNING_SECRET }),
    async alertmanager(payload) {
      const res = await fetch(`${url}/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}` },
        body: JSON.stringify(payload),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await bot.stop();
      await sources.close();
      await slack.close();
      state.disconnect();
    },
  };
}

/** An Alertmanager v4 payload with one firing alert. */
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
