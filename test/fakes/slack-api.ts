import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callViolations, messageViolations, recordViolations, type Violation } from './block-kit-limits.js';
import { createMessageStore, type FakeMessage } from './slack-history.js';
import { readBody } from './read-body.js';

export type { FakeMessage } from './slack-history.js';

/** One Web API call the fake received. JSON-valued form fields (`blocks`, `attachments`) are parsed. */
export interface SlackApiCall {
  method: string;
  body: Record<string, any>;
  headers: IncomingHttpHeaders;
  at: number;
  /** What the fake answered (set before any waiter hears of the call). */
  response?: Record<string, any>;
  /** The call was carried out but its answer lost (`loseAnswers`): how. */
  lostAnswer?: LostAnswer;
}

/** How an answer is lost: an HTTP 500 instead of it, or no answer at all (the client times out). */
export type LostAnswer = 'http_500' | 'no_answer';

/** One message posted to a response_url. */
export interface ResponseUrlPost {
  id: string;
  body: Record<string, any>;
  at: number;
}

export interface FakeSlackApi {
  port: number;
  /** Base URL for the WebClient's `slackApiUrl`: `http://127.0.0.1:<port>/api/`. */
  apiUrl: string;
  /** A response_url served by this fake; posts to it are recorded under `id`. */
  responseUrl(id?: string): string;
  calls: SlackApiCall[];
  responses: ResponseUrlPost[];
  /** Every Block Kit limit broken by a call or a response_url post; such a call was answered `invalid_blocks`. */
  violations: { method: string; violations: Violation[] }[];
  /** Makes `method` answer `{ ok: false, error }` (every time, or the next `times` calls). */
  failMethod(method: string, error: string, times?: number): void;
  /**
   * Makes `method` answer with an HTTP status and no Slack body (e.g. 500; a 429 carries `Retry-After: 1`):
   * every time, or the next `times` calls. The call is not carried out (a post is not taken).
   */
  failMethodHttp(method: string, status: number, times?: number): void;
  /**
   * Makes every call of `method` take `ms` before Slack takes it and answers (0 removes it): the time a
   * real call takes, during which a client can die with the call in flight (Slack then takes it all the same).
   */
  setLatency(method: string, ms: number): void;
  /**
   * The next `times` calls of `method` are carried out (a post is taken: it is in the channel's history)
   * but their answer is lost: an HTTP 500 instead (default), or none at all until the client times out.
   */
  loseAnswers(method: string, times: number, how?: LostAnswer): void;
  /** Messages Slack holds in a channel (or one thread, parent included), oldest first. */
  messagesIn(channel: string, threadTs?: string): FakeMessage[];
  /** Puts a message in a channel as if posted earlier (e.g. the alert post a thread hangs from). */
  addMessage(m: Omit<FakeMessage, 'ts'> & { ts?: string }): FakeMessage;
  /** The websocket URL that apps.connections.open hands out (Socket Mode); unset, the call fails. */
  setSocketModeUrl(url: string | undefined): void;
  /** Members that usergroups.users.list answers for a user group id. */
  setUserGroup(id: string, users: string[]): void;
  /** Calls of one method so far. */
  callsOf(method: string): SlackApiCall[];
  /** Resolves with the first call (past or future) of `method` that matches; rejects after `timeoutMs` (default 30 s: it bounds only how long a failing test waits, on a loaded machine too). */
  waitFor(method: string, predicate?: (c: SlackApiCall) => boolean, timeoutMs?: number): Promise<SlackApiCall>;
  /** Same for response_url posts. */
  waitForResponse(predicate?: (r: ResponseUrlPost) => boolean, timeoutMs?: number): Promise<ResponseUrlPost>;
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_IDS = { team: 'T0FAKE', botUser: 'U0BOT', bot: 'B0BOT', channel: 'C0CHAN' };

function parseBody(raw: string, contentType: string | undefined): Record<string, any> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, any>;
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (/^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // a plain string that starts with a bracket
      }
    }
    out[k] = v;
  }
  return out;
}

function okBody(
  method: string,
  body: Record<string, any>,
  ts: () => string,
  socketUrl: string | undefined,
  groups: ReadonlyMap<string, string[]>,
): Record<string, unknown> {
  switch (method) {
    case 'auth.test':
      return {
        ok: true,
        url: 'https://fake.slack.com/',
        team: 'Fake',
        user: 'session-ttl',
        team_id: FAKE_IDS.team,
        user_id: FAKE_IDS.botUser,
        bot_id: FAKE_IDS.bot,
      };
    case 'chat.postMessage':
      return {
        ok: true,
        channel: body.channel,
        ts: ts(),
        message: {
          text: body.text,
          blocks: body.blocks,
          bot_id: FAKE_IDS.bot,
          ...(body.thread_ts ? { thread_ts: body.thread_ts } : {}),
          ...(body.metadata ? { metadata: body.metadata } : {}),
        },
      };
    case 'chat.update':
      return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
    case 'chat.postEphemeral':
      return { ok: true, message_ts: ts() };
    case 'views.open':
    case 'views.update':
      return {
        ok: true,
        view: { id: `V${ts().replace('.', '')}`, ...(typeof body.view === 'object' ? body.view : {}) },
      };
    case 'usergroups.users.list':
      return { ok: true, users: groups.get(String(body.usergroup)) ?? [] };
    case 'apps.connections.open':
      return socketUrl ? { ok: true, url: socketUrl } : { ok: false, error: 'not_allowed_token_type' };
    default:
      return { ok: true };
  }
}

/** What chat.postMessage leaves in the channel (its thread, its metadata). */
function postedMessage(body: Record<string, any>, ts: string): FakeMessage {
  return {
    channel: String(body.channel),
    ts,
    text: body.text,
    blocks: body.blocks,
    bot_id: FAKE_IDS.bot,
    ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
    ...(body.metadata && typeof body.metadata === 'object' ? { metadata: body.metadata } : {}),
  };
}

/**
 * A fake Slack Web API on 127.0.0.1 for the real WebClient (`clientOptions.slackApiUrl`). Answers
 * `POST /api/<method>` (form or JSON bodies) with `{ ok: true, ... }`, records every call, can make a
 * method fail or lose its answers, and serves response_urls at `POST /response/<id>`. Posted messages
 * stay in their channel and thread, with their metadata, for `conversations.history` / `.replies`.
 *
 * @example
 * const slack = await startFakeSlackApi();
 * slack.failMethod('chat.postMessage', 'not_in_channel');
 * const post = await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'C1');
 */
export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: SlackApiCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const violations: FakeSlackApi['violations'] = [];
  const failures = new Map<string, { error?: string; status?: number; times: number }>();
  const callWaiters: { method: string; predicate: (c: SlackApiCall) => boolean; resolve: (c: SlackApiCall) => void }[] =
    [];
  const responseWaiters: { predicate: (r: ResponseUrlPost) => boolean; resolve: (r: ResponseUrlPost) => void }[] = [];
  let tsCounter = 0;
  let socketUrl: string | undefined;
  const groups = new Map<string, string[]>();
  const latency = new Map<string, number>();
  const store = createMessageStore();
  const lost = new Map<string, { how: LostAnswer; times: number }>();
  const ts = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    // As Slack: a 429 says when to try again (the WebClient refuses a 429 without it).
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '1' } : {}) });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  /** The answer to a call: a failure the test asked for, `invalid_blocks` past a limit, or the method's answer. */
  const answerOf = (method: string, body: Record<string, any>): { status: number; body: Record<string, any> } => {
    const failure = failures.get(method);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      if (failure.status) return { status: failure.status, body: { ok: false, error: 'fake_http_error' } };
      return { status: 200, body: { ok: false, error: failure.error } };
    }
    // As the real Slack: a payload over a documented limit is refused, and the suite hears of it.
    const broken = callViolations(method, body);
    if (broken.length) {
      violations.push({ method, violations: broken });
      recordViolations(`fake Slack ${method}`, broken);
      return { status: 200, body: { ok: false, error: 'invalid_blocks', errors: broken } };
    }
    if (method === 'conversations.history') return { status: 200, body: store.history(body) };
    if (method === 'conversations.replies') return { status: 200, body: store.replies(body) };
    const ok = okBody(method, body, ts, socketUrl, groups);
    if (method === 'chat.postMessage') store.add(postedMessage(body, String(ok.ts)));
    return { status: 200, body: ok };
  };

  /** Whether the answer of this call of `method` is to be lost, and how (counts the call down). */
  const loseAnswer = (method: string): LostAnswer | undefined => {
    const l = lost.get(method);
    if (!l || l.times <= 0) return undefined;
    l.times -= 1;
    return l.how;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const api = /^\/api\/([\w.]+)$/.exec(url.pathname);
    const response = /^\/response\/([\w-]+)$/.exec(url.pathname);
    if (req.method === 'POST' && api) {
      const method = api[1] as string;
      const delay = latency.get(method);
      if (delay) await new Promise((r) => setTimeout(r, delay));
      const call: SlackApiCall = {
        method,
        body: parseBody(raw, req.headers['content-type']),
        headers: req.headers,
        at: Date.now(),
      };
      const answer = answerOf(method, call.body);
      call.response = answer.body;
      const lostHow = answer.body.ok === true ? loseAnswer(method) : undefined;
      if (lostHow) call.lostAnswer = lostHow;
      calls.push(call);
      for (const w of [...callWaiters]) {
        if (w.method === method && w.predicate(call)) {
          callWaiters.splice(callWaiters.indexOf(w), 1);
          w.resolve(call);
        }
      }
      // A lost answer: the call was carried out; the client hears a 500, or nothing until it gives up.
      if (lostHow === 'no_answer') return;
      if (lostHow === 'http_500') return send(res, 500, { ok: false, error: 'fake_lost_answer' });
      return send(res, answer.status, answer.body);
    }
    if (req.method === 'POST' && response) {
      const post: ResponseUrlPost = {
        id: response[1] as string,
        body: parseBody(raw, req.headers['content-type']),
        at: Date.now(),
      };
      const broken = messageViolations(post.body);
      if (broken.length) {
        violations.push({ method: 'response_url', violations: broken });
        recordViolations('fake Slack response_url', broken);
        return send(res, 400, { ok: false, error: 'invalid_blocks', errors: broken });
      }
      responses.push(post);
      for (const w of [...responseWaiters]) {
        if (w.predicate(post)) {
          responseWaiters.splice(responseWaiters.indexOf(w), 1);
          w.resolve(post);
        }
      }
      return send(res, 200, { ok: true });
    }
    send(res, 404, { ok: false, error: 'unknown_method' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const wait = <T>(
    label: string,
    existing: () => T | undefined,
    register: (resolve: (v: T) => void) => () => void,
    timeoutMs: number,
    describe: () => string,
  ): Promise<T> => {
    const found = existing();
    if (found) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      let unregister = () => undefined as void;
      const timer = setTimeout(() => {
        unregister();
        reject(new Error(`fake Slack: no ${label} within ${timeoutMs} ms; received: ${describe()}`));
      }, timeoutMs);
      unregister = register((v) => {
        clearTimeout(timer);
        resolve(v);
      });
    });
  };

  return {
    port,
    apiUrl: `http://127.0.0.1:${port}/api/`,
    responseUrl: (id = Math.random().toString(36).slice(2, 10)) => `http://127.0.0.1:${port}/response/${id}`,
    calls,
    responses,
    violations,
    failMethod(method, error, times = Number.POSITIVE_INFINITY) {
      failures.set(method, { error, times });
    },
    setSocketModeUrl(url) {
      socketUrl = url;
    },
    setLatency(method, ms) {
      if (ms > 0) latency.set(method, ms);
      else latency.delete(method);
    },
    failMethodHttp(method, status, times = Number.POSITIVE_INFINITY) {
      failures.set(method, { status, times });
    },
    setUserGroup(id, users) {
      groups.set(id, users);
    },
    loseAnswers(method, times, how = 'http_500') {
      lost.set(method, { how, times });
    },
    messagesIn: (channel, threadTs) => store.messagesIn(channel, threadTs),
    addMessage(m) {
      const message = { ...m, ts: m.ts ?? ts() };
      store.add(message);
      return message;
    },
    callsOf: (method) => calls.filter((c) => c.method === method),
    waitFor(method, predicate = () => true, timeoutMs = 30_000) {
      return wait(
        `${method} call`,
        () => calls.find((c) => c.method === method && predicate(c)),
        (resolve) => {
          const w = { method, predicate, resolve };
          callWaiters.push(w);
          return () => void callWaiters.splice(callWaiters.indexOf(w), 1);
        },
        timeoutMs,
        () => calls.map((c) => c.method).join(', ') || 'nothing',
      );
    },
    waitForResponse(predicate = () => true, timeoutMs = 30_000) {
      return wait(
        'response_url post',
        () => responses.find(predicate),
        (resolve) => {
          const w = { predicate, resolve };
          responseWaiters.push(w);
          return () => void responseWaiters.splice(responseWaiters.indexOf(w), 1);
        },
        timeoutMs,
        () => JSON.stringify(responses.map((r) => r.body.text)),
      );
    },
    reset() {
      calls.length = 0;
      responses.length = 0;
      violations.length = 0;
      failures.clear();
      latency.clear();
      lost.clear();
      store.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
