import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { z } from 'zod';
import { findingSpec } from '../../../src/diagnostics/catalogue/finding-spec.js';
import { defineCheck } from '../../../src/diagnostics/define-check.js';
import { createBot, type Bot } from '../../../src/bot.js';
import { createSourceCache, type SourceCache } from '../../../src/app/sources.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { captureLogs } from './log-capture.js';

// `ws` ships with @slack/socket-mode (no types installed); only the few members used here are declared.
interface WsSocket {
  send(data: string): void;
  on(event: 'message', cb: (data: Buffer) => void): void;
  close(): void;
}
interface WsServer {
  on(event: 'connection', cb: (socket: WsSocket, req: { headers: Record<string, string | undefined> }) => void): void;
  once(event: 'listening', cb: () => void): void;
  close(cb?: () => void): void;
  clients: Set<WsSocket>;
  address(): AddressInfo;
}
type WsModule = { WebSocketServer: new (opts: { port: number; host: string } | { server: Server }) => WsServer };

const APP_TOKEN = 'xapp-1-A0APP-secretapptoken';

const pingCheck = defineCheck({
  id: 'ping',
  summary: 'Redis answers TIME (test fixture)',
  needs: ['redis'],
  findings: [
    findingSpec({
      id: 'fixture.redis_time',
      severity: { default: 'info' },
      evidence: z.object({ t: z.number() }),
      scenarios: [],
    }),
  ],
  async run(ctx) {
    const t = await ctx.redis.nodes[0]!.time();
    return [
      {
        id: 'fixture.redis_time',
        severity: 'info',
        title: 'Redis time',
        detail: 'Redis answered TIME.',
        evidence: { t },
      },
    ];
  },
});

/**
 * Slack's side of Socket Mode, reduced to what Bolt uses: apps.connections.open (on the fake Web API)
 * hands out this server's URL; it says hello, sends envelopes and records the acks.
 */
describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  let slack: FakeSlackApi;
  let wss: WsServer;
  let bot: Bot;
  let sources: SourceCache;
  let redis: Redis;
  const acks: Record<string, any>[] = [];
  const connected: { auth?: string }[] = [];
  let socket: WsSocket | undefined;
  const logs = captureLogs();

  beforeAll(async () => {
    redis = await resetSharedRedis();
    const { WebSocketServer } = (await import('ws' as string)) as WsModule;
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.once('listening', r));
    wss.on('connection', (s, req) => {
      socket = s;
      connected.push({ auth: req.headers.authorization });
      s.on('message', (d) => acks.push(JSON.parse(d.toString()) as Record<string, any>));
      s.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP' } }));
    });
    slack = await startFakeSlackApi();
    slack.setSocketModeUrl(`ws://127.0.0.1:${wss.address().port}/link`);
    sources = createSourceCache({});
    const config = parseConfig(
      { environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
      'test',
    );
    bot = createBot({
      settings: {
        mode: 'socket',
        botToken: 'xoxb-sock-1',
        appToken: APP_TOKEN,
        slackApiUrl: slack.apiUrl,
        port: 0,
        logLevel: 'debug',
      },
      config,
      registry: createCheckRegistry([pingCheck]),
      sourcesFor: sources.sourcesFor,
      logger: logs.logger,
      hostname: '127.0.0.1',
      webApiRetries: 0,
    });
    await bot.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await sources?.close();
    for (const c of wss?.clients ?? []) c.close();
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    await slack?.close();
    redis?.disconnect();
  });

  it('connects with the app token, acks a slash command envelope and posts the report', async () => {
    expect(slack.callsOf('apps.connections.open')[0]?.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(connected).toHaveLength(1);

    // When: Slack delivers /session-ttl diagnose dev over the socket.
    socket!.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          token: 'x',
          team_id: 'T0FAKE',
          channel_id: 'CSOCK',
          user_id: 'U0USER',
          command: '/session-ttl',
          text: 'diagnose dev',
          api_app_id: 'A0APP',
          response_url: slack.responseUrl('sock'),
          trigger_id: 't-1',
        },
      }),
    );

    // Then: the envelope is acked with the ephemeral "Diagnosing" payload, and the report is posted.
    const post = await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'CSOCK');
    const ack = acks.find((a) => a.envelope_id === 'env-1');
    expect(ack?.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(ack?.payload.text).toMatch(/Diagnosing \*dev\*/);
    expect(post.body.blocks.map((b: { block_id?: string }) => b.block_id)).toContain('finding:fixture.redis_time');
    expect(logs.raw()).not.toContain(APP_TOKEN);
  });
});
