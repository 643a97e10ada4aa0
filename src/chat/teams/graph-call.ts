import { GroupLookupError } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import { retryOnceWhenThrottled } from './connector-errors.js';
import { graphErrorCode, graphRefusal } from './graph-errors.js';
import { OutgoingTokenError } from './outgoing-token.js';

/** How one call reaches Graph. */
export interface GraphCallOptions {
  /** TEAMS_GRAPH_URL, without a trailing slash. */
  graphUrl: string;
  /** The bot's app-only token for `graphScope(graphUrl)` (client credentials, `outgoingToken`). */
  token: () => Promise<string>;
  logger: Logger;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
  /** Waits out a 429's Retry-After (default a timer; tests may pass a recording sleep). */
  sleep?: (ms: number) => Promise<void>;
}

/** A Graph request: its method, the JSON body of a POST, headers of its own (`ConsistencyLevel`). */
export interface GraphRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** What the URL names, for the words of a 404 (default a user). */
  subject?: 'user' | 'group';
}

/** The app-only token, or a GroupLookupError naming the settings to check. */
async function graphToken(o: GraphCallOptions): Promise<string> {
  try {
    return await o.token();
  } catch (err) {
    if (!(err instanceof OutgoingTokenError)) throw err;
    o.logger.warn({ error: err.message }, 'no token for Microsoft Graph');
    throw new GroupLookupError(
      'the bot could not get its token for Microsoft Graph from TEAMS_LOGIN_URL (check TEAMS_APP_PASSWORD or TEAMS_APP_CERTIFICATE_FILE, and the tenant)',
      { cause: err },
    );
  }
}

/** One attempt; unreachable (network, timeout) is a GroupLookupError. */
async function once(o: GraphCallOptions, r: GraphRequest): Promise<Response> {
  const token = await graphToken(o);
  try {
    return await (o.fetch ?? fetch)(r.url, {
      method: r.method,
      headers: {
        ...r.headers,
        authorization: `Bearer ${token}`,
        ...(r.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const url = r.url;
    o.logger.warn({ url, error: err instanceof Error ? err.message : String(err) }, 'Microsoft Graph unreachable');
    throw new GroupLookupError('Microsoft Graph (TEAMS_GRAPH_URL) could not be reached; try again later', {
      cause: err,
    });
  }
}

/**
 * One Microsoft Graph request with the bot's app-only token; resolves with the JSON body of a 2xx. Graph
 * throttles with 429 and a Retry-After: retried once after it, when it asks at most MAX_RETRY_AFTER_MS (as
 * the Bot Connector's calls). Anything else, or a second 429, rejects with a GroupLookupError in words for
 * the person; the log has the status and Graph's error code, never the token.
 * https://learn.microsoft.com/graph/throttling
 */
export async function graphRequest(o: GraphCallOptions, r: GraphRequest): Promise<unknown> {
  const url = r.url;
  const res = await retryOnceWhenThrottled(
    () => once(o, r),
    (answer) => (answer.status === 429 ? answer.headers.get('retry-after') : undefined),
    {
      ...(o.now ? { now: o.now } : {}),
      ...(o.sleep ? { sleep: o.sleep } : {}),
      onThrottled: (waitMs) =>
        o.logger.warn({ url, status: 429, retryAfterMs: waitMs }, 'Microsoft Graph throttled the bot'),
      beforeRetry: async (throttled) => void (await throttled.body?.cancel()),
    },
  );
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const code = graphErrorCode(body);
    o.logger.warn({ url, status: res.status, code }, 'Microsoft Graph refused the group lookup');
    throw new GroupLookupError(graphRefusal(res.status, code, r.subject));
  }
  return body;
}
