import type * as Msal from '@azure/msal-node';
import type { Configuration } from '@azure/msal-node';
import type { AppCertificate } from '../../config/teams-certificate.js';
import { msalNetwork, NOT_JSON, UNREACHABLE, type MsalNetwork } from './msal-network.js';

/** The token endpoint refused or could not be reached: replies cannot be sent. */
export class OutgoingTokenError extends Error {
  override name = 'OutgoingTokenError';
}

export interface OutgoingTokenOptions {
  /** TEAMS_LOGIN_URL, e.g. https://login.microsoftonline.com (https: MSAL takes no other authority). */
  loginUrl: string;
  tenantId: string;
  appId: string;
  /** The client secret; or else `certificate`, with which MSAL signs a client assertion instead. */
  appPassword?: string;
  certificate?: AppCertificate;
  /** What the token is for: the Bot Connector (TEAMS_BOT_SCOPE, its cloud's) or Microsoft Graph. */
  scope: string;
  /** MSAL's requests go through it (a test passes one that trusts its loopback CA). */
  fetch?: typeof fetch;
  /** The deadline of one request to the login endpoint (default 10 s). */
  timeoutMs?: number;
}

let loading: Promise<typeof Msal> | undefined;

/** MSAL Node, loaded at the first token request: a Slack-only process never loads it. */
function msal(): Promise<typeof Msal> {
  loading ??= import('@azure/msal-node').catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/**
 * The bot's own token for the Bot Connector or Microsoft Graph: OAuth client credentials with MSAL Node
 * (`@azure/msal-node`, the library the Agents SDK and Teams SDK use) at the authority
 * `<loginUrl>/<tenantId>`, kept in MSAL's in-memory token cache until 5 minutes before it expires. With a
 * certificate MSAL signs the client assertion (PS256, `x5t#S256`, the certificate as `x5c`) and sends no
 * secret. Only TEAMS_LOGIN_URL is asked (`knownAuthorities`: no instance discovery at
 * login.microsoftonline.com); Microsoft's clouds need no OpenID request (MSAL knows their endpoints), any
 * other host serves `<authority>/v2.0/.well-known/openid-configuration`. Concurrent callers share one request.
 */
export function outgoingToken(o: OutgoingTokenOptions): () => Promise<string> {
  const authority = `${o.loginUrl}/${encodeURIComponent(o.tenantId)}`;
  const endpoint = `${authority}/oauth2/v2.0/token`;
  let app: Msal.ConfidentialClientApplication | undefined;
  let network: MsalNetwork | undefined;
  let pending: Promise<string> | undefined;

  async function request(): Promise<string> {
    const m = await msal();
    try {
      network ??= msalNetwork({ fetch: o.fetch ?? fetch, timeoutMs: o.timeoutMs ?? 10_000, AuthError: m.AuthError });
      app ??= new m.ConfidentialClientApplication({
        auth: { clientId: o.appId, authority, knownAuthorities: [o.loginUrl], ...credential(o) },
        system: { networkClient: network },
      });
      const result = await app.acquireTokenByClientCredential({ scopes: [o.scope] });
      if (!result?.accessToken) throw new OutgoingTokenError(`the token endpoint ${endpoint} answered without a token`);
      return result.accessToken;
    } catch (err) {
      throw refusal(err, m, { endpoint, openId: `${authority}/v2.0/.well-known/openid-configuration`, network });
    }
  }

  return () => {
    pending ??= request().finally(() => (pending = undefined));
    return pending;
  };
}

/** MSAL's credential: the certificate when set (its SHA-256 thumbprint in hex, as MSAL takes it), else the secret. */
function credential(o: OutgoingTokenOptions): Pick<Configuration['auth'], 'clientSecret' | 'clientCertificate'> {
  if (o.certificate) {
    const c = o.certificate;
    const thumbprintSha256 = Buffer.from(c.thumbprintSha256, 'base64url').toString('hex');
    return { clientCertificate: { thumbprintSha256, privateKey: c.privateKeyPem(), x5c: c.certificatePem } };
  }
  if (!o.appPassword) throw new OutgoingTokenError('neither a client secret nor a certificate is set');
  return { clientSecret: o.appPassword };
}

/** Entra ID's error and AADSTS code (e.g. ` (invalid_client, AADSTS700027)`: the certificate is not registered). */
function refusalCode(err: Msal.AuthError): string {
  const aadsts = /AADSTS\d+/.exec(err.errorMessage)?.[0];
  const codes = [err.errorCode, aadsts].filter((c) => c);
  return codes.length ? ` (${codes.join(', ')})` : '';
}

/** What went wrong, in our words: MSAL's errors name neither the endpoint nor the HTTP status in their message. */
function refusal(
  err: unknown,
  m: typeof Msal,
  at: { endpoint: string; openId: string; network: MsalNetwork | undefined },
): OutgoingTokenError {
  if (err instanceof OutgoingTokenError) return err;
  if (!(err instanceof m.AuthError)) return new OutgoingTokenError(`no token from ${at.endpoint}`, { cause: err });
  const status = 'status' in err && typeof err.status === 'number' ? err.status : undefined;
  if (err.errorCode === UNREACHABLE)
    return new OutgoingTokenError(`the token endpoint ${at.endpoint} could not be reached`, { cause: err.cause });
  if (err.errorCode === NOT_JSON)
    return new OutgoingTokenError(`the token endpoint ${at.endpoint} answered HTTP ${status} without a token`);
  if (err instanceof m.ServerError && status !== undefined)
    return new OutgoingTokenError(
      `the token endpoint ${at.endpoint} answered HTTP ${status}${refusalCode(err)} without a token`,
    );
  // MSAL keeps a 429 or 5xx answer for its Retry-After (60 s without one) and refuses locally meanwhile.
  if (err instanceof m.ServerError)
    return new OutgoingTokenError(
      `the token endpoint ${at.endpoint} answered HTTP 429 or 5xx a moment ago${refusalCode(err)}; ` +
        'MSAL asks again after its Retry-After (60 s without one)',
    );
  if (err instanceof m.InteractionRequiredAuthError)
    return new OutgoingTokenError(`the token endpoint ${at.endpoint} refused${refusalCode(err)} without a token`);
  // MSAL's endpoint discovery (the OpenID request of a host it does not know) fails as one code, the cause dropped
  if (err.errorCode === 'endpoints_resolution_error') {
    const cause = at.network?.lastFailure();
    const why =
      cause?.errorCode === UNREACHABLE ? 'could not be reached' : 'gave no OpenID configuration MSAL can read';
    return new OutgoingTokenError(`the login endpoint's ${at.openId} ${why}`, { cause: cause?.cause ?? cause ?? err });
  }
  return new OutgoingTokenError(`MSAL could not ask ${at.endpoint} for a token (${err.errorCode})`, { cause: err });
}

/** The settings' credential as `outgoingToken` options: the certificate when set, else the client secret. */
export function appCredential(s: { appPassword?: string; appCertificate?: AppCertificate }) {
  if (s.appCertificate) return { certificate: s.appCertificate };
  return s.appPassword !== undefined ? { appPassword: s.appPassword } : {};
}
