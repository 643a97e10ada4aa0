import { z } from 'zod';
import type { AppCertificate } from '../../config/teams-certificate.js';
import { clientAssertion, JWT_BEARER } from './client-assertion.js';

const tokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});

const errorReply = z.object({ error: z.string().max(64), error_description: z.string().optional() });

/** Entra ID's error and AADSTS code (e.g. ` (invalid_client, AADSTS700027)`: the certificate is not registered). */
function refusalCode(reply: unknown): string {
  const e = errorReply.safeParse(reply);
  if (!e.success) return '';
  const aadsts = /AADSTS\d+/.exec(e.data.error_description ?? '')?.[0];
  return ` (${[e.data.error, ...(aadsts ? [aadsts] : [])].join(', ')})`;
}

/** The token endpoint refused or could not be reached: replies cannot be sent. */
export class OutgoingTokenError extends Error {
  override name = 'OutgoingTokenError';
}

export interface OutgoingTokenOptions {
  /** TEAMS_LOGIN_URL, e.g. https://login.microsoftonline.com */
  loginUrl: string;
  tenantId: string;
  appId: string;
  /** The client secret; or else `certificate`, which signs a client assertion instead. */
  appPassword?: string;
  certificate?: AppCertificate;
  /** What the token is for: the Bot Connector (TEAMS_BOT_SCOPE, its cloud's) or Microsoft Graph. */
  scope: string;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The bot's own token for the Bot Connector (OAuth client credentials at
 * `<loginUrl>/<tenantId>/oauth2/v2.0/token`), cached until 5 minutes before it expires. Plain fetch rather
 * than MSAL: MSAL accepts only https authorities, so it cannot be pointed at a fake on loopback. With a
 * certificate, each request carries a fresh signed client assertion and no client secret.
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
      scope: o.scope,
      ...(await clientAuthentication(o, endpoint, now)),
    });
    let res: Response;
    try {
      res = await doFetch(endpoint, { method: 'POST', body });
    } catch (err) {
      throw new OutgoingTokenError(`the token endpoint ${endpoint} could not be reached`, { cause: err });
    }
    const reply: unknown = await res.json().catch(() => undefined);
    const parsed = tokenResponse.safeParse(reply);
    if (!res.ok || !parsed.success)
      throw new OutgoingTokenError(
        `the token endpoint ${endpoint} answered HTTP ${res.status}${refusalCode(reply)} without a token`,
      );
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

/** The form fields that prove the app's identity: a client assertion with a certificate, else the secret. */
async function clientAuthentication(
  o: OutgoingTokenOptions,
  endpoint: string,
  now: () => number,
): Promise<Record<string, string>> {
  if (o.certificate) {
    const assertion = await clientAssertion({ certificate: o.certificate, appId: o.appId, endpoint, now });
    return { client_assertion_type: JWT_BEARER, client_assertion: assertion };
  }
  if (o.appPassword === undefined) throw new OutgoingTokenError('neither a client secret nor a certificate is set');
  return { client_secret: o.appPassword };
}

/** The settings' credential as `outgoingToken` options: the certificate when set, else the client secret. */
export function appCredential(s: { appPassword?: string; appCertificate?: AppCertificate }) {
  if (s.appCertificate) return { certificate: s.appCertificate };
  return s.appPassword !== undefined ? { appPassword: s.appPassword } : {};
}
