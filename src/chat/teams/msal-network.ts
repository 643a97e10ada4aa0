import type { AuthError, INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

/** The errorCode of our network module's failures: the endpoint could not be reached, or answered no JSON. */
export const UNREACHABLE = 'login_endpoint_unreachable';
export const NOT_JSON = 'login_endpoint_not_json';

export interface MsalNetworkOptions {
  fetch: typeof fetch;
  /** How long one request may take (MSAL's own client gives a POST none). */
  timeoutMs: number;
  /** MSAL's AuthError (loaded lazily with MSAL): MSAL passes an AuthError through as it is, with its cause. */
  AuthError: typeof AuthError;
}

/** MSAL's answer shape: the status, the headers (lower-case names), the JSON body. */
async function answer<T>(res: Response, o: MsalNetworkOptions, url: string): Promise<NetworkResponse<T>> {
  const text = await res.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    const err = new o.AuthError(NOT_JSON, `${url} answered HTTP ${res.status} without JSON`);
    throw Object.assign(err, { status: res.status });
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  // MSAL reads `Retry-After` spelled so (ThrottlingUtils); fetch gives every header name in lower case
  const retryAfter = res.headers.get('retry-after');
  if (retryAfter !== null) headers['Retry-After'] = retryAfter;
  return { status: res.status, headers, body };
}

/** Our network module, and the failure of its last request (MSAL drops the failure of its OpenID request). */
export interface MsalNetwork extends INetworkModule {
  lastFailure(): AuthError | undefined;
}

/**
 * MSAL Node's network module (`system.networkClient`) over `fetch`, with a deadline on every request: the
 * OpenID configuration of the authority (GET) and the token endpoint (POST). A network failure or the
 * deadline is an AuthError `login_endpoint_unreachable` whose cause is fetch's error. The request body (the
 * client secret or assertion) is never part of an error.
 */
export function msalNetwork(o: MsalNetworkOptions): MsalNetwork {
  let failure: AuthError | undefined;
  async function send<T>(method: 'GET' | 'POST', url: string, req: NetworkRequestOptions = {}) {
    const endpoint = url.split('?')[0] ?? url;
    failure = undefined;
    try {
      return await request<T>(method, url, endpoint, req);
    } catch (err) {
      if (err instanceof o.AuthError) failure = err;
      throw err;
    }
  }
  async function request<T>(method: 'GET' | 'POST', url: string, endpoint: string, req: NetworkRequestOptions) {
    let res: Response;
    try {
      res = await o.fetch(url, {
        method,
        headers: req.headers ?? {},
        ...(method === 'POST' ? { body: req.body ?? '' } : {}),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (cause) {
      const err = new o.AuthError(UNREACHABLE, `${endpoint} could not be reached`);
      throw Object.assign(err, { cause });
    }
    return answer<T>(res, o, endpoint);
  }
  return {
    sendGetRequestAsync: (url, req) => send('GET', url, req),
    sendPostRequestAsync: (url, req) => send('POST', url, req),
    lastFailure: () => failure,
  };
}
