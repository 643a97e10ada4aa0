import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { readBody } from './read-body.js';

/** One request the fake app received. */
export interface AppApiRequest {
  method: string;
  path: string;
  /** The bearer token matched. */
  authorized: boolean;
  body?: unknown;
  status: number;
}

export interface FakeAppApiOptions {
  /** The real test Redis the sessions are written to. */
  redisUrl: string;
  /** TTL the app writes sessions with (SET ... EX). */
  ttlSeconds: number;
  /** Sliding window: GET refreshes the TTL with EXPIRE. */
  sliding: boolean;
  /** The bearer token the app accepts. */
  token: string;
  /** Key prefix (default `session:`). */
  keyPrefix?: string;
}

export interface FakeAppApi {
  /** `http://127.0.0.1:<port>`, for `app.baseUrl`. */
  baseUrl: string;
  requests: AppApiRequest[];
  /** Keys the app wrote (to assert that none is left behind). */
  createdKeys: string[];
  /** Broken refresh: GET answers 200 but does not EXPIRE, even when sliding is on. */
  setBrokenRefresh(broken: boolean): void;
  setSliding(sliding: boolean): void;
  setTtlSeconds(ttl: number): void;
  /** Makes requests of `method` never answer (to test the client's timeout). */
  hang(method: 'POST' | 'GET' | 'DELETE' | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A fake of the app's session service on 127.0.0.1, writing to a real Redis the way the runbook's
 * RedisSessionStore does: POST /api/sessions SETs `session:<id>` with EX its TTL and answers
 * `{ session_id }`; GET /api/sessions/:id refreshes the TTL with EXPIRE when the sliding window is on
 * (unless the refresh is broken); DELETE removes the key. A wrong bearer token gets 401.
 *
 * @example
 * const app = await startFakeAppApi({ redisUrl: sharedRedisUrl(), ttlSeconds: 60, sliding: true, token: 't0k' });
 * app.setBrokenRefresh(true);
 */
export async function startFakeAppApi(opts: FakeAppApiOptions): Promise<FakeAppApi> {
  const redis = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = opts.keyPrefix ?? 'session:';
  const requests: AppApiRequest[] = [];
  const createdKeys: string[] = [];
  let sliding = opts.sliding;
  let ttl = opts.ttlSeconds;
  let broken = false;
  let hangOn: string | undefined;
  const hanging = new Set<ServerResponse>();

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const authorized = req.headers.authorization === `Bearer ${opts.token}`;
    const send = (status: number, payload?: unknown) => {
      requests.push({ method: req.method ?? '', path: url.pathname, authorized, body, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    if (req.method === hangOn) {
      requests.push({ method: req.method ?? '', path: url.pathname, authorized, body, status: 0 });
      hanging.add(res);
      return;
    }
    if (!authorized) return send(401, { detail: 'invalid token' });
    const item = /^\/api\/sessions\/([^/]+)$/.exec(url.pathname);
    try {
      if (req.method === 'POST' && url.pathname === '/api/sessions') {
        const userId = (body as { user_id?: unknown } | undefined)?.user_id;
        if (typeof userId !== 'string') return send(422, { detail: 'user_id required' });
        const id = randomBytes(16).toString('hex');
        await redis.set(
          `${prefix}${id}`,
          JSON.stringify({ user_id: userId, created_at: Math.floor(Date.now() / 1000) }),
          'EX',
          ttl,
        );
        createdKeys.push(`${prefix}${id}`);
        return send(201, { session_id: id });
      }
      if (req.method === 'GET' && item) {
        const key = `${prefix}${decodeURIComponent(item[1] as string)}`;
        const value = await redis.get(key);
        if (value === null) return send(404, { detail: 'session not found' });
        if (sliding && !broken) await redis.expire(key, ttl);
        return send(200, JSON.parse(value));
      }
      if (req.method === 'DELETE' && item) {
        const removed = await redis.del(`${prefix}${decodeURIComponent(item[1] as string)}`);
        return send(removed ? 204 : 404);
      }
      return send(404, { detail: 'not found' });
    } catch (err) {
      return send(500, { detail: (err as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    createdKeys,
    setBrokenRefresh: (b) => void (broken = b),
    setSliding: (s) => void (sliding = s),
    setTtlSeconds: (t) => void (ttl = t),
    hang: (method) => void (hangOn = method),
    reset() {
      requests.length = 0;
      createdKeys.length = 0;
      sliding = opts.sliding;
      ttl = opts.ttlSeconds;
      broken = false;
      hangOn = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.destroy();
        redis.disconnect();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
