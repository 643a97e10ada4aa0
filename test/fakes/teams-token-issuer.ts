import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import {
  checkClient,
  readForm,
  registeredCertificate,
  type GrantMethod,
  type RegisteredCertificate,
} from './fake-client-credentials.js';

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
 * test sends as the Teams channel, and the login endpoint that issues the bot's outgoing tokens
 * (`POST /<tenant>/oauth2/v2.0/token`, client credentials).
 */
export interface FakeTeamsTokenIssuer {
  url: string;
  /** TEAMS_OPENID_METADATA_URL for the bot. */
  metadataUrl: string;
  grants: TokenGrant[];
  /** How many times the metadata and the JWKS were fetched. */
  fetches: { metadata: number; jwks: number };
  sign(serviceUrl: string, o?: SignOptions): Promise<string>;
  /** An unsigned token (`alg: none`) with valid-looking claims. */
  unsigned(serviceUrl: string): string;
  /** Registers a certificate's public part (PEM) on the app, as uploading it to the app registration does. */
  registerCertificate(pem: string): void;
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
  const fetches = { metadata: 0, jwks: 0 };
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
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.url ?? '');
    if (req.method === 'POST' && token?.[1]) {
      void readForm(req).then(async (form) => {
        const endpoint = `${url}${req.url}`;
        const check = await checkClient(form, {
          appId: FAKE_APP_ID,
          password: FAKE_APP_PASSWORD,
          endpoint,
          certificates,
        });
        const grant: TokenGrant = {
          tenant: token[1]!,
          clientId: form.get('client_id'),
          scope: form.get('scope'),
          ...check,
        };
        grants.push(grant);
        const ok = form.get('grant_type') === 'client_credentials' && grant.clientId === FAKE_APP_ID && !check.refusal;
        // Entra ID names a refused assertion AADSTS700027 (the certificate is not registered, or the signature fails).
        const aadsts =
          grant.method === 'client_assertion' ? { error_description: 'AADSTS700027: Client assertion failed' } : {};
        if (!ok) return json(401, { error: 'invalid_client', ...aadsts });
        grant.accessToken = `outgoing-token-${grants.length}`;
        json(200, { token_type: 'Bearer', expires_in: 3600, access_token: grant.accessToken });
      });
      return;
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
    registerCertificate: (pem) => void certificates.push(registeredCertificate(pem)),
    async rotate() {
      published.push(await newKey());
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
