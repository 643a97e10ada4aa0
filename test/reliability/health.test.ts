import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createSourceCache, type SourceCache } from '../../src/app/sources.js';
import { openStateStore, type OpenStateStore } from '../../src/adapters/state/open-state-store.js';
import { createBot, type Bot } from '../../src/bot.js';
import { parseConfig } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { freePort } from '../support/redis-server.js';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { eventually } from '../support/eventually.js';
import { serverInfoCheck, startRedisOnPort } from './fixtures.js';

// `ws` ships with @slack/socket-mode (no types installed); only the members used here are declared.
interface WsSocket {
  send(data: string): void;
  close(): void;
}
interface WsServer {
  on(event: 'connection', cb: (socket: WsSocket) => void): void;
  once(event: 'listening', cb: () => void): void;
  close(cb?: () => void): void;
  clients: Set<WsSocket>;
  address(): AddressInfo;
}
type WsModule = { WebSocketServer: new (opts: { port: number; host: string }) => WsServer };

interface Health {
  status: number;
  body: { ok: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
}
const get = async (url: string): Promise<Health> => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Health['body'] };
};

describe('/readyz and /healthz tell the truth (issue 9, item 6)', () => {
  let slack: FakeSlackApi;
  let wss: WsServer;
  let bot: Bot;
  let sources: SourceCache;
  let state: OpenStateStore;
  let url: string;
  let stateRedisPort: number;
  let stopStateRedis: () => Promise<void>;

  beforeAll(async () => {
    const { WebSocketServer } = (await import('ws' as string)) as WsModule;
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.once('listening', r));
    wss.on('connection', (s) =>
      s.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP' } })),
    );
    slack = await startFakeSlackApi();
    slack.setSocketModeUrl(`ws://127.0.0.1:${wss.address().port}/link`);
    stateRedisPort = await freePort();
    const stateRedis = await startRedisOnPort(stateRedisPort);
    stopStateRedis = () => stateRedis.stop();
    state = openStateStore({ url: stateRedis.url, logger: pino({ level: 'silent' }) });
    sources = createSourceCache({});
    bot = createBot({
      settings: {
        mode: 'socket',
        botToken: 'xoxb-health-1',
        appToken: 'xapp-1-A0APP-healthtoken',
        slackApiUrl: slack.apiUrl,
        port: 0,
        logLevel: 'debug',
      },
      config: parseConfig(
        { environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
        'health-test',
      ),
      registry: createCheckRegistry([serverInfoCheck]),
      sourcesFor: sources.sourcesFor,
      logger: captureLogs().logger,
      hostname: '127.0.0.1',
      webApiRetries: 0,
      readiness: { 'state-store': () => state.ping(300) },
      connectionDownLimitMs: 400,
      onClose: [sources.close, state.close],
    });
    url = `http://127.0.0.1:${(await bot.start()).port}`;
  });

  afterAll(async () => {
    await bot?.stop();
    await stopStateRedis?.();
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    await slack?.close();
  });

  it('is ready and live when auth.test succeeded, Socket Mode is connected, the config loaded and the state store answers', async () => {
    const ready = await eventually('ready', async () => {
      const r = await get(`${url}/readyz`);
      return r.status === 200 ? r : undefined;
    });
    expect(Object.keys(ready.body.checks).sort()).toEqual(['accepting', 'config', 'slack', 'state-store']);
    expect((await get(`${url}/healthz`)).status).toBe(200);
  });

  it('is not ready when the state store does not answer PING', async () => {
    await stopStateRedis();
    const r = await eventually('not ready', async () => {
      const h = await get(`${url}/readyz`);
      return h.status === 503 ? h : undefined;
    });
    expect(r.body.checks['state-store']?.ok).toBe(false);
    expect(r.body.checks['state-store']?.detail).toMatch(/state Redis/);
    // Liveness is not about the state store: a restart would not bring it back.
    expect((await get(`${url}/healthz`)).status).toBe(200);
    const back = await startRedisOnPort(stateRedisPort);
    stopStateRedis = () => back.stop();
    await eventually('the state store answering again', async () =>
      (await get(`${url}/readyz`)).body.checks['state-store']?.ok ? true : undefined,
    );
  });

  it('is not ready when the Socket Mode connection drops, and not live once it has been down past the limit', async () => {
    // Given: Slack stops handing out connections (as with a revoked app token) and the socket closes.
    slack.setSocketModeUrl(undefined);
    for (const c of wss.clients) c.close();

    // Then: not ready at once, with the reason; and /healthz fails once the 400 ms limit passed.
    const notReady = await eventually('not ready', async () => {
      const h = await get(`${url}/readyz`);
      return h.body.checks.slack?.ok === false ? h : undefined;
    });
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.slack?.detail).toMatch(/Socket Mode connection is down/);
    const dead = await eventually('liveness to fail', async () => {
      const h = await get(`${url}/healthz`);
      return h.status === 503 ? h : undefined;
    });
    expect(dead.body.checks['slack-connection']?.detail).toMatch(/has been down for .+ \(limit 400 ms\)/);
  });
});
