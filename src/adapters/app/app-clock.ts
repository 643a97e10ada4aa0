import type { AppClockOptions as PortOptions, ClockReading, ReadAppClock } from '../../core/ports/app-clock.js';
import { errorCause, errorCode, errorMessage, errorName } from '../../core/error-fields.js';
import { safeUrl } from '../../core/format.js';

/** The part of `fetch` the clock reading uses; pass another one to route requests elsewhere in tests. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface AppClockOptions extends PortOptions {
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
}

/** The app's clock could not be read; the message names the URL without credentials or query. */
export class AppClockError extends Error {
  override name = 'AppClockError';
}

/** The URL to request: user info is dropped, since the clock needs no credentials. */
function requestUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function describeFailure(err: unknown, urls: readonly string[], shown: string): string {
  const name = errorName(err);
  if (name === 'TimeoutError') return 'timed out';
  if (name === 'AbortError') return 'was aborted';
  // fetch fails with "fetch failed" and the socket error (ECONNREFUSED) as its cause.
  const cause = errorCause(err);
  let text = errorCode(cause) || (errorMessage(cause) ?? errorMessage(err) ?? String(err));
  // Error texts of fetch can quote the URL, query string (tokens) included.
  for (const u of urls) text = text.split(u).join(shown);
  return text;
}

async function request(
  method: 'HEAD' | 'GET',
  opts: AppClockOptions,
  fetchFn: FetchLike,
): Promise<ClockReading | undefined> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const sentAt = opts.now();
  let res: Response;
  try {
    // No credentials: any answer, even 401 or 404, carries the server's Date header.
    res = await fetchFn(requestUrl(opts.baseUrl), {
      method,
      redirect: 'manual',
      signal,
      headers: { 'cache-control': 'no-cache' },
    });
  } catch (err) {
    const shown = safeUrl(opts.baseUrl);
    throw new AppClockError(
      `The app at ${shown} did not answer a ${method} request: ${describeFailure(err, [opts.baseUrl, requestUrl(opts.baseUrl)], shown)}.`,
    );
  }
  const receivedAt = opts.now();
  // The body is not needed; release the connection.
  await res.body?.cancel().catch(() => undefined);
  const date = res.headers.get('date');
  const serverMs = date ? Date.parse(date) : NaN;
  if (Number.isNaN(serverMs)) return undefined;
  return { serverMs, sentAt, receivedAt, status: res.status, method };
}

/**
 * Reads the clock of the app from the `Date` header of a HEAD request to its base URL (a GET when
 * the HEAD answer has none). Throws `AppClockError` when the app cannot be reached or sends no date.
 *
 * @example
 * const r = await readAppClock({ baseUrl: 'http://langgraph-agent:8000', timeoutMs: 5000, now: Date.now });
 * const offsetMs = r.serverMs + 500 - (r.sentAt + r.receivedAt) / 2;
 */
export async function readAppClock(opts: AppClockOptions): Promise<ClockReading> {
  const fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
  const head = await request('HEAD', opts, fetchFn);
  if (head) return head;
  const get = await request('GET', opts, fetchFn);
  if (get) return get;
  throw new AppClockError(`The app at ${safeUrl(opts.baseUrl)} sent no usable Date header.`);
}

/** The port over a given `fetch` (default the global one), for the environment's sources. */
export function appClockReader(fetchFn?: FetchLike): ReadAppClock {
  return (opts) => readAppClock({ ...opts, ...(fetchFn ? { fetch: fetchFn } : {}) });
}
