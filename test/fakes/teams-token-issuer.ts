import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JWK,
  type JWTPayload,
  type CryptoKey,
} from 'jose';
import {
  checkClient,
  readForm,
  registeredCertificate,
  type GrantMethod,
  type RegisteredCertificate,
} from './fake-client-credentials.js';
import { loopbackTls } from './loopback-tls.js';

export const FAKE_APP_ID = '00000000-0000-4000-8000-00000000a991';
export const FAKE_APP_PASSWORD = 'fake-teams-app-password';
export const FAKE_TENANT_ID = '00000000-0000-4000-8000-0000000000aa';
export const FAKE_ISSUER = 'https://api.botframework.com';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

/** One client-credentials request the fake login endpoint answered. */
export interface TokenGrant {
  tenant: string;
  clientId: string | null;
  scope: string | null;
  /** The client secret, or a client assertion signed with a registered certificate. */
  method: GrantMethod;
  /** The token issued; undefined when the credentials were refused. */
  accessToken?: string;
  /** Why the credentials were refused (the fake's own words, for tests). */
  refusal?: string;
  /** The library that asked, as MSAL names itself in the form (`x-client-SKU`, e.g. `msal.js.node`). */
  sku: string | null;
  /** A client assertion's JOSE header (alg, x5t#S256, x5c), when the request had one. */
  assertionHeader?: Record<string, unknown>;
}

export interface SignOptions {
  /** Claims over the defaults (aud = app id, iss, serviceurl, iat/nbf/exp around now). */
  claims?: JWTPayload;
  /** Sign with a key the JWKS does not publish (a forged token with its own `kid`). */
  untrustedKey?: boolean;
}

/**
 * A fake of Microsoft's identity endpoints on 127.0.0.1: the Bot Framework OpenID metadata and its JWKS
 * (an RSA key generated per run, more can be published to test rotation), a signer for the activities a
 * test sends as the Teams channel, and the login endpoint that issues the bot's outgoing tokens to MSAL,
 * over https on a port of its own (`loginUrl`: `GET /<tenant>/v2.0/.well-known/openid-configuration`,
 * `POST /<tenant>/oauth2/v2.0/token`, client credentials).
 */
export interface FakeTeamsTokenIssuer {
  url: string;
  /**
   * TEAMS_LOGIN_URL: the login endpoint over https on 127.0.0.1 (MSAL takes no http authority), its
   * certificate signed by the test process's CA (`loopbackTls()`); reach it with `fetch`.
   */
  loginUrl: string;
  /** `fetch` that trusts the login endpoint's CA. */
  fetch: typeof fetch;
  /** The CA's PEM file (NODE_EXTRA_CA_CERTS of a bot process). */
  caFile: string;
  /** Every request the login endpoint got (method and path with query), in order. */
  loginRequests: string[];
  /** TEAMS_OPENID_METADATA_URL for the bot. */
  metadataUrl: string;
  grants: TokenGrant[];
  /** How many times the metadata, the JWKS and the login endpoint's OpenID configuration were fetched. */
  fetches: { metadata: number; jwks: number; loginMetadata: number };
  sign(serviceUrl: string, o?: SignOptions): Promise<string>;
  /** An unsigned token (`alg: none`) with valid-looking claims. */
  unsigned(serviceUrl: string): string;
  /** Registers a certificate's public part (PEM) on the app, as uploading it to the app registration does. */
  registerCertificate(pem: string): void;
  /** The `expires_in` of the tokens the login endpoint issues from now on (default 3600). */
  setTokenLifetime(seconds: number): void;
  /** Generates a new key, publishes it in the JWKS and signs with it from now on (key rotation). */
  rotate(): Promise<void>;
  close(): Promise<void>;
}

let kidSeq = 0;

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `fake-key-${++kidSeq}`;
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function startFakeTeamsTokenIssuer(): Promise<FakeTeamsTokenIssuer> {
  const published: SigningKey[] = [await newKey()];
  const outsider = await newKey();
  const grants: TokenGrant[] = [];
  const certificates: RegisteredCertificate[] = [];
  const fetches = { metadata: 0, jwks: 0, loginMetadata: 0 };
  const lifetime = { seconds: 3600 };
  const login = await startLogin({ grants, certificates, fetches, lifetime });
  let url = '';
  const server = createServer((req, res) => {
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && req.url === '/v1/.well-known/openidconfiguration') {
      fetches.metadata++;
      return json(200, { issuer: FAKE_ISSUER, jwks_uri: `${url}/v1/.well-known/keys` });
    }
    if (req.method === 'GET' && req.url === '/v1/.well-known/keys') {
      fetches.jwks++;
      return json(200, { keys: published.map((k) => k.jwk) });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const claimsFor = (serviceUrl: string, extra: JWTPayload = {}): JWTPayload => {
    const nowSec = Math.floor(Date.now() / 1000);
    return {
      iss: FAKE_ISSUER,
      aud: FAKE_APP_ID,
      serviceurl: serviceUrl,
      iat: nowSec,
      nbf: nowSec,
      exp: nowSec + 3600,
      ...extra,
    };
  };
  return {
    url,
    loginUrl: login.url,
    fetch: loopbackTls().fetch,
    caFile: loopbackTls().caFile,
    loginRequests: login.requests,
    metadataUrl: `${url}/v1/.well-known/openidconfiguration`,
    grants,
    fetches,
    async sign(serviceUrl, o = {}) {
      const key = o.untrustedKey ? outsider : published[published.length - 1]!;
      return new SignJWT(claimsFor(serviceUrl, o.claims))
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
        .sign(key.privateKey);
    },
    unsigned: (serviceUrl) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsFor(serviceUrl))}.`,
    setTokenLifetime: (seconds) => void (lifetime.seconds = seconds),
    registerCertificate: (pem) => void certificates.push(registeredCertificate(pem)),
    async rotate() {
      published.push(await newKey());
    },
    close: async () => {
      await login.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

interface LoginState {
  grants: TokenGrant[];
  certificates: RegisteredCertificate[];
  fetches: { loginMetadata: number };
  /** The `expires_in` of the tokens issued (default an hour). */
  lifetime: { seconds: number };
}

/** A client-credentials request at `<url>/<tenant>/oauth2/v2.0/token`, checked as Entra ID does. */
async function grantToken(req: IncomingMessage, res: ServerResponse, url: string, s: LoginState): Promise<void> {
  const path = new URL(req.url ?? '/', url).pathname;
  const tenant = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path)?.[1] ?? '';
  const form = await readForm(req);
  // The assertion's audience is the token endpoint itself, without MSAL's query (client-request-id)
  const check = await checkClient(form, {
    appId: FAKE_APP_ID,
    password: FAKE_APP_PASSWORD,
    endpoint: `${url}${path}`,
    certificates: s.certificates,
  });
  const assertion = form.get('client_assertion');
  const grant: TokenGrant = {
    tenant,
    clientId: form.get('client_id'),
    scope: form.get('scope'),
    sku: form.get('x-client-SKU'),
    ...(assertion ? { assertionHeader: decodeProtectedHeader(assertion) } : {}),
    ...check,
  };
  s.grants.push(grant);
  const ok = form.get('grant_type') === 'client_credentials' && grant.clientId === FAKE_APP_ID && !check.refusal;
  // Entra ID names a refused assertion AADSTS700027 (the certificate is not registered, or the signature fails).
  const aadsts =
    grant.method === 'client_assertion' ? { error_description: 'AADSTS700027: Client assertion failed' } : {};
  if (!ok) return void json(res, 401, { error: 'invalid_client', ...aadsts });
  grant.accessToken = `outgoing-token-${s.grants.length}`;
  json(res, 200, { token_type: 'Bearer', expires_in: s.lifetime.seconds, access_token: grant.accessToken });
}

/**
 * The login endpoint (Entra ID's, for one authority per tenant) over https: the OpenID configuration MSAL
 * reads for an authority it does not know (`/<tenant>/v2.0/.well-known/openid-configuration`), and the token
 * endpoint it names.
 */
async function startLogin(s: LoginState): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const tls = loopbackTls();
  const requests: string[] = [];
  let url = '';
  const server = createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = new URL(req.url ?? '/', url).pathname;
    const openId = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path)?.[1];
    if (req.method === 'GET' && openId) {
      s.fetches.loginMetadata++;
      const at = `${url}/${openId}`;
      return json(res, 200, {
        issuer: `${at}/v2.0`,
        token_endpoint: `${at}/oauth2/v2.0/token`,
        authorization_endpoint: `${at}/oauth2/v2.0/authorize`,
        jwks_uri: `${at}/discovery/v2.0/keys`,
      });
    }
    if (req.method === 'POST' && path.endsWith('/oauth2/v2.0/token')) return void grantToken(req, res, url, s);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
