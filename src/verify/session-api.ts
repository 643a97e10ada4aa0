import { z } from 'zod';
import { UserError } from '../core/errors.js';

/** The app's session endpoints (runbook Diagnosis 6 / Verification), narrowed to what the canary uses. */
export interface SessionApi {
  /** Where the sessions live, for messages: `http://app:8000/api/sessions`. */
  readonly url: string;
  /** `POST {sessionsPath}` with `{"user_id": ...}`; the new session's id. */
  createSession(userId: string): Promise<string>;
  /** `GET {sessionsPath}/{id}`: an access, which refreshes the TTL when the sliding window is on. */
  accessSession(id: string): Promise<void>;
  /** `DELETE {sessionsPath}/{id}`. */
  deleteSession(id: string): Promise<void>;
}

/** The app API failed; the message says what to check and never contains the token or a session id. */
export class AppApiError extends UserError {
  override name = 'AppApiError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message, 'app_api');
  }
}

const createdSchema = z.object({ session_id: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'expected a session id') });

export interface SessionApiOptions {
  baseUrl: string;
  sessionsPath: string;
  /** Bearer token; never logged, never put in a message. */
  token?: string;
  /** Name of the env var the token came from, for messages. */
  tokenEnv?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

const fetchCauseSchema = z.object({ code: z.string().optional(), message: z.string().optional() });

/** What fetch's `TypeError: fetch failed` wraps (undici puts the socket error in `cause`): its code, else its message. */
function causeOf(err: Error): string | undefined {
  const cause = fetchCauseSchema.safeParse(err.cause);
  return cause.success ? (cause.data.code ?? cause.data.message) : undefined;
}

interface ApiRequest {
  method: string;
  /** `''` or `/<encoded id>`. */
  path: string;
  /** What the request is for, in messages. */
  what: string;
  body?: unknown;
}

/** Why fetch itself failed (no answer), in words that never contain the token. */
function fetchFailure(err: unknown, target: string, req: ApiRequest, timeoutMs: number): AppApiError {
  const e = err instanceof Error ? err : new Error(String(err));
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new AppApiError(
      `The app API did not answer ${target} within ${timeoutMs} ms (${req.what}); check app.baseUrl and app.timeoutMs.`,
    );
  }
  return new AppApiError(
    `Cannot reach the app API for ${target} (${req.what}): ${causeOf(e) ?? e.message}. ` +
      'Check app.baseUrl and network access from the bot.',
  );
}

/** An answer that is not a success, as an error; undefined for a success. */
function refusal(
  res: Response,
  target: string,
  req: ApiRequest,
  tokenEnv: string | undefined,
): AppApiError | undefined {
  if (res.status === 401 || res.status === 403) {
    const source = tokenEnv ? `the token in ${tokenEnv}` : 'the request (no token configured: set app.tokenEnv)';
    return new AppApiError(
      `The app API refused ${source} with HTTP ${res.status} on ${target} (${req.what}): set a valid bearer token.`,
      res.status,
    );
  }
  if (!res.ok)
    return new AppApiError(`The app API answered HTTP ${res.status} to ${target} (${req.what}).`, res.status);
  return undefined;
}

/** Sends one request; a failure or an answer that is not a success throws an AppApiError. */
async function send(opts: SessionApiOptions, url: string, req: ApiRequest): Promise<Response> {
  const doFetch = opts.fetch ?? fetch;
  const target = `${req.method} ${url}${req.path ? '/{id}' : ''}`;
  let res: Response;
  try {
    res = await doFetch(`${url}${req.path}`, {
      method: req.method,
      headers: {
        accept: 'application/json',
        ...(opts.token !== undefined ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    throw fetchFailure(err, target, req, opts.timeoutMs);
  }
  const refused = refusal(res, target, req, opts.tokenEnv);
  if (refused) {
    await res.body?.cancel();
    throw refused;
  }
  return res;
}

/** The new session's id from the answer to `POST {sessionsPath}`. */
async function sessionIdOf(res: Response, url: string): Promise<string> {
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new AppApiError(
      `The app API answered POST ${url} with a body that is not JSON; expected {"session_id": "..."}.`,
    );
  }
  const parsed = createdSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new AppApiError(
      `The app API answered POST ${url} without a usable session_id (${issues}); expected {"session_id": "..."}.`,
    );
  }
  return parsed.data.session_id;
}

/** A SessionApi over HTTP. Every request times out after `timeoutMs`. */
export function createSessionApi(opts: SessionApiOptions): SessionApi {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}${opts.sessionsPath}`;
  const onSession = async (method: string, id: string, what: string) => {
    const res = await send(opts, url, { method, path: `/${encodeURIComponent(id)}`, what });
    await res.body?.cancel();
  };
  return {
    url,
    async createSession(userId) {
      const body = { user_id: userId };
      const res = await send(opts, url, { method: 'POST', path: '', what: 'creating the test session', body });
      return sessionIdOf(res, url);
    },
    accessSession: (id) => onSession('GET', id, 'accessing the test session'),
    deleteSession: (id) => onSession('DELETE', id, 'deleting the test session'),
  };
}
