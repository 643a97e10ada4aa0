import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import type { BotSettings } from '../../../src/config/bot-settings.js';
import { parseConfig } from '../../../src/config/config.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { createBot, type BotDeps, type Bot } from '../../../src/bot.js';
import { SlackStartError } from '../../../src/chat/slack/bolt-app.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { sendEvent } from '../../fakes/slack-signing.js';
import { freePort } from '../../support/redis-server.js';
import { captureLogs } from './log-capture.js';

const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const BOT_TOKEN = 'xoxb-9999-8888-startuptoken';

const config = parseConfig(
  { environments: { dev: { profile: 'development', redis: { url: 'redis://127.0.0.1:1' } } } },
  'test',
);

function deps(apiUrl: string, extra: Partial<BotDeps> = {}) {
  const logs = captureLogs();
  const settings: BotSettings = {
    mode: 'http',
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    slackApiUrl: apiUrl,
    port: 0,
    logLevel: 'debug',
  };
  const d: BotDeps = {
    settings,
    config,
    registry: createCheckRegistry([]),
    sourcesFor: () => ({}),
    logger: logs.logger,
    hostname: '127.0.0.1',
    webApiRetries: 0,
    webApiTimeoutMs: 2000,
    ...extra,
  };
  return { deps: d, logs };
}

describe('createBot start-up', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function fakeSlack(): Promise<FakeSlackApi> {
    const slack = await startFakeSlackApi();
    cleanups.push(() => slack.close());
    return slack;
  }

  async function started(bot: Bot): Promise<string> {
    const { port } = await bot.start();
    cleanups.push(async () => void (await bot.stop()));
    return `http://127.0.0.1:${port}`;
  }

  it('verifies the bot token with auth.test, serves /healthz and answers unknown paths with 404', async () => {
    const slack = await fakeSlack();
    const { deps: d, logs } = deps(slack.apiUrl);
    const base = await started(createBot(d));
    // Bolt verifies the token, then the bot reads the workspace it serves (the access policy's workspace rule).
    expect(slack.callsOf('auth.test')).toHaveLength(2);
    for (const call of slack.callsOf('auth.test')) expect(call.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/slack/events`)).status).toBe(405);
    expect(logs.lines.find((l) => l.msg === 'listening')).toMatchObject({
      mode: 'http',
      port: Number(new URL(base).port),
    });
  });

  it('answers Slack url_verification through the same route (signed)', async () => {
    const slack = await fakeSlack();
    const base = await started(createBot(deps(slack.apiUrl).deps));
    const res = await sendEvent(
      base,
      { type: 'url_verification', challenge: 'c-123', token: 'x' },
      { signingSecret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: 'c-123' });
  });

  it('fails with a clear, catchable error when Slack is unreachable, and does not listen', async () => {
    // Given: a Web API URL on a port where nothing listens.
    const closed = await freePort();
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${closed}/api/`;
    const { deps: d, logs } = deps(apiUrl, { settings: { ...deps(apiUrl).deps.settings, port } });

    // When / Then
    const err = await createBot(d)
      .start()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackStartError);
    expect((err as Error).message).toContain(`Cannot reach Slack's Web API at ${apiUrl}`);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(logs.raw()).not.toContain(BOT_TOKEN);
  });

  it('names SLACK_BOT_TOKEN when Slack refuses it (invalid_auth)', async () => {
    const slack = await fakeSlack();
    slack.failMethod('auth.test', 'invalid_auth');
    const err = await createBot(deps(slack.apiUrl).deps)
      .start()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackStartError);
    expect((err as Error).message).toMatch(/Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/);
  });

  it('fails at construction when a subcommand name is registered twice', async () => {
    const slack = await fakeSlack();
    const dup = {
      name: 'help',
      usage: 'help',
      summary: 'again',
      params: z.array(z.string()).transform(() => undefined),
      run: async () => undefined,
    };
    expect(() => createBot(deps(slack.apiUrl, { extraCommands: [dup] }).deps)).toThrow(/duplicate command "help"/);
  });

  it('fails at construction when an HTTP route is registered twice', async () => {
    const slack = await fakeSlack();
    const route = { method: 'GET' as const, path: '/healthz', handle: () => undefined };
    expect(() =>
      createBot(deps(slack.apiUrl, { extraFeatures: [{ name: 'dup', register: (h) => h.route(route) }] }).deps),
    ).toThrow(/duplicate HTTP route GET \/healthz/);
  });
});
