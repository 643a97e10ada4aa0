import { z } from 'zod';

/** The scope of a token for the Bot Connector service (public cloud; sovereign clouds name theirs). */
export const BOT_CONNECTOR_SCOPE = 'https://api.botframework.com/.default';

const tokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});

/** The token endpoint refused or could not be reached: replies cannot be sent. */
export class OutgoingTokenError extends Error {
  override name = 'OutgoingTokenError';
}

export interface OutgoingTokenOptions {
  /** TEAMS_LOGIN_URL, e.g. https://login.microsoftonline.com */
  loginUrl: string;
  tenantId: string;
  appId: string;
  appPassword: string;
  scope?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The bot's own token for the Bot Connector (OAuth client credentials at
 * `<loginUrl>/<tenantId>/oauth2/v2.0/token`), cached until 5 minutes before it expires. Plain fetch rather
 * than MSAL: MSAL accepts only https authorities, so it cannot be pointed at a fake on loopback.
 */
export function outgoingToken(o: OutgoingTokenOptions): () => Promise<string> {
  const doFetch = o.fetch ?? fetch;
  const now = o.now ?? Date.now;
  const endpoint = `${o.loginUrl}/${encodeURIComponent(o.tenantId)}/oauth2/v2.0/token`;
  let cached: { token: string; until: number } | undefined;
  let pending: Promise<string> | undefined;

  async function request(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: o.appId,
      client_secret: o.appPassword,
      scope: o.scope ?? BOT_CONNECTOR_SCOPE,
    });
    let res: Response;
    try {
      res = await doFetch(endpoint, { method: 'POST', body });
    } catch (err) {
      throw new OutgoingTokenError(`the token endpoint ${endpoint} could not be reached`, { cause: err });
    }
    const parsed = tokenResponse.safeParse(await res.json().catch(() => undefined));
    if (!res.ok || !parsed.success)
      throw new OutgoingTokenError(`the token endpoint ${endpoint} answered HTTP ${res.status} without a token`);
    cached = { token: parsed.data.access_token, until: now() + (parsed.data.expires_in - 300) * 1000 };
    return cached.token;
  }

  return async () => {
    if (cached && cached.until > now()) return cached.token;
    // Concurrent replies share one request.
    pending ??= request().finally(() => (pending = undefined));
    return pending;
  };
}
