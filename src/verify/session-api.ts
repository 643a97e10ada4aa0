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

/** A SessionApi over HTTP. Every request times out after `timeoutMs`. */
export function createSessionApi(opts: SessionApiOptions): SessionApi {
  const doFetch = opts.fetch ?? fetch;
  const url = `${opts.baseUrl.replace(/\/+$/, '')}${opts.sessionsPath}`;

  async function call(method: string, path: string, what: string, body?: unknown): Promise<Response> {
    const target = `${method} ${url}${path ? '/{id}' : ''}`;
    let res: Response;
    try {
      res = await doFetch(`${url}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(opts.token !== undefined ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new AppApiError(
          `The app API did not answer ${target} within ${opts.timeoutMs} ms (${what}); check app.baseUrl and app.timeoutMs.`,
        );
      }
      const cause = e.cause?.code ?? e.cause?.message ?? e.message;
      throw new AppApiError(
        `Cannot reach the app API for ${target} (${what}): ${cause}. Check app.baseUrl and network access from the bot.`,
      );
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      const source = opts.tokenEnv
        ? `the token in ${opts.tokenEnv}`
        : 'the request (no token configured: set app.tokenEnv)';
      throw new AppApiError(
        `The app API refused ${source} with HTTP ${res.status} on ${target} (${what}): set a valid bearer token.`,
        res.status,
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new AppApiError(`The app API answered HTTP ${res.status} to ${target} (${what}).`, res.status);
    }
    return res;
  }

  return {
    url,
    async createSession(userId) {
      const res = await call('POST', '', 'creating the test session', { user_id: userId });
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
        throw new AppApiError(
          `The app API answered POST ${url} without a usable session_id (${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}); expected {"session_id": "..."}.`,
        );
      }
      return parsed.data.session_id;
    },
    async accessSession(id) {
      const res = await call('GET', `/${encodeURIComponent(id)}`, 'accessing the test session');
      await res.body?.cancel();
    },
    async deleteSession(id) {
      const res = await call('DELETE', `/${encodeURIComponent(id)}`, 'deleting the test session');
      await res.body?.cancel();
    },
  };
}
