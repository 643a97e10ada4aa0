// The bot's outgoing token through MSAL Node (issue 22: on a maintained Microsoft SDK): what MSAL asks the
// login endpoint (https on loopback, a CA made for the test process), its cache, and our messages for its errors.
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppCertificate } from '../../../src/config/teams-certificate.js';
import {
  outgoingToken,
  OutgoingTokenError,
  type OutgoingTokenOptions,
} from '../../../src/chat/teams/outgoing-token.js';
import { loopbackTls } from '../../fakes/loopback-tls.js';
import {
  FAKE_APP_ID,
  FAKE_APP_PASSWORD,
  FAKE_TENANT_ID,
  startFakeTeamsTokenIssuer,
  type FakeTeamsTokenIssuer,
} from '../../fakes/teams-token-issuer.js';
import { makeAppCertificates, type AppCertificates } from '../../support/app-certificates.js';

const SCOPE = 'https://api.botframework.com/.default';
const TOKEN_PATH = `/${FAKE_TENANT_ID}/oauth2/v2.0/token`;
const urlOf = (input: Parameters<typeof fetch>[0]) =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

describe("the bot's outgoing token, from MSAL Node", () => {
  let issuer: FakeTeamsTokenIssuer;
  let certs: AppCertificates;

  beforeAll(async () => {
    issuer = await startFakeTeamsTokenIssuer();
    certs = makeAppCertificates();
    issuer.registerCertificate(certs.app.certPem);
  });
  afterAll(async () => {
    await issuer?.close();
    certs?.remove();
  });

  const tokenFor = (o: Partial<OutgoingTokenOptions> = {}) =>
    outgoingToken({
      loginUrl: issuer.loginUrl,
      tenantId: FAKE_TENANT_ID,
      appId: FAKE_APP_ID,
      appPassword: FAKE_APP_PASSWORD,
      scope: SCOPE,
      fetch: issuer.fetch,
      ...o,
    });
  const refusal = (p: Promise<string>) =>
    p.then(
      () => expect.fail('a token'),
      (err: unknown) => {
        expect(err).toBeInstanceOf(OutgoingTokenError);
        return err as OutgoingTokenError;
      },
    );

  it("asks the authority's OpenID configuration, then its token endpoint, once for concurrent callers, and keeps the token", async () => {
    const token = tokenFor();
    const before = issuer.loginRequests.length;
    // When three replies need the token at once, and then one more
    const [a, b, c] = await Promise.all([token(), token(), token()]);
    expect(new Set([a, b, c]).size).toBe(1);
    expect(await token()).toBe(a);
    // Then MSAL asked the login endpoint once (its request shape: the tenant's OpenID configuration, then the
    // token endpoint with its client-request-id, the form naming the library)
    expect(issuer.loginRequests.slice(before)).toEqual([
      `GET /${FAKE_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      expect.stringMatching(new RegExp(`^POST ${TOKEN_PATH}\\?client-request-id=[0-9a-f-]{36}$`)),
    ]);
    expect(issuer.grants.at(-1)).toMatchObject({
      sku: 'msal.js.node',
      method: 'client_secret',
      scope: SCOPE,
      accessToken: a,
    });
  });

  it('asks again for a token that expires within 5 minutes (MSAL renews early), without the OpenID configuration', async () => {
    issuer.setTokenLifetime(200);
    try {
      const token = tokenFor();
      const first = await token();
      const before = issuer.loginRequests.length;
      const second = await token();
      expect(second).not.toBe(first);
      expect(issuer.loginRequests.slice(before)).toEqual([expect.stringMatching(new RegExp(`^POST ${TOKEN_PATH}\\?`))]);
    } finally {
      issuer.setTokenLifetime(3600);
    }
  });

  it('with a certificate: MSAL signs the assertion PS256, names the certificate (x5t#S256) and sends it (x5c)', async () => {
    const read = readAppCertificate(certs.app.pemFile);
    const token = tokenFor({ appPassword: undefined, certificate: read.certificate! });
    expect(await token()).toMatch(/^outgoing-token-/);
    const grant = issuer.grants.at(-1)!;
    expect(grant).toMatchObject({ method: 'client_assertion', sku: 'msal.js.node' });
    expect(grant.refusal).toBeUndefined();
    expect(grant.assertionHeader).toEqual({
      alg: 'PS256',
      typ: 'JWT',
      'x5t#S256': read.certificate!.thumbprintSha256,
      x5c: [new X509Certificate(certs.app.certPem).raw.toString('base64')],
    });
  });

  it('asks nothing but TEAMS_LOGIN_URL (no instance discovery at login.microsoftonline.com)', async () => {
    const asked: string[] = [];
    const recording: typeof fetch = (input, init) => {
      asked.push(urlOf(input));
      return issuer.fetch(input, init);
    };
    expect(await tokenFor({ fetch: recording })()).toMatch(/^outgoing-token-/);
    expect(asked).toHaveLength(2);
    for (const url of asked) expect(url.startsWith(`${issuer.loginUrl}/${FAKE_TENANT_ID}/`)).toBe(true);
  });

  it("says what the login endpoint answered (status, Entra's error code), never the secret", async () => {
    const err = await refusal(tokenFor({ appPassword: 'not-the-secret-456' })());
    expect(err.message).toBe(
      `the token endpoint ${issuer.loginUrl}${TOKEN_PATH} answered HTTP 401 (invalid_client) without a token`,
    );
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('not-the-secret-456');
  });

  it('a login endpoint that is closed, or that does not answer within the deadline, could not be reached', async () => {
    const tls = loopbackTls();
    const silent = createServer({ cert: tls.cert, key: tls.key }, () => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const slow = await refusal(tokenFor({ loginUrl: silentUrl, timeoutMs: 300 })());
      // (a host MSAL does not know: its first request is the authority's OpenID configuration)
      expect(slow.message).toBe(
        `the login endpoint's ${silentUrl}/${FAKE_TENANT_ID}/v2.0/.well-known/openid-configuration could not be reached`,
      );
      expect(slow.cause).toMatchObject({ name: 'TimeoutError' });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    const closed = await refusal(tokenFor({ loginUrl: silentUrl })());
    expect(closed.message).toMatch(/could not be reached$/);
    expect(closed.cause).toBeInstanceOf(Error);
  });
});

describe('MSAL and a login endpoint in trouble (answered at the HTTP edge)', () => {
  const LOGIN = 'https://login.microsoftonline.com';
  const ENDPOINT = `${LOGIN}/${FAKE_TENANT_ID}/oauth2/v2.0/token`;
  const tokenOver = (edge: typeof fetch) =>
    outgoingToken({
      loginUrl: LOGIN,
      tenantId: FAKE_TENANT_ID,
      appId: FAKE_APP_ID,
      appPassword: FAKE_APP_PASSWORD,
      scope: SCOPE,
      fetch: edge,
    });
  const message = (p: Promise<string>) =>
    p.then(
      () => expect.fail('a token'),
      (err: unknown) => (err instanceof OutgoingTokenError ? err.message : expect.fail(String(err))),
    );

  it('a network failure of the token request: could not be reached', async () => {
    const token = tokenOver(() => Promise.reject(new TypeError('fetch failed')));
    expect(await message(token())).toBe(`the token endpoint ${ENDPOINT} could not be reached`);
  });

  it('an answer that is no JSON (a proxy page): its status, no token', async () => {
    const token = tokenOver(() => Promise.resolve(new Response('<html>Bad gateway</html>', { status: 502 })));
    expect(await message(token())).toBe(`the token endpoint ${ENDPOINT} answered HTTP 502 without a token`);
  });

  it("a 503 with Retry-After: its status and Entra's codes, then MSAL waits it out without asking", async () => {
    let asked = 0;
    const token = tokenOver(() => {
      asked++;
      const body = { error: 'temporarily_unavailable', error_description: 'AADSTS50196: The server is busy' };
      return Promise.resolve(Response.json(body, { status: 503, headers: { 'retry-after': '120' } }));
    });
    expect(await message(token())).toBe(
      `the token endpoint ${ENDPOINT} answered HTTP 503 (temporarily_unavailable, AADSTS50196) without a token`,
    );
    expect(await message(token())).toMatch(
      /answered HTTP 429 or 5xx a moment ago.*MSAL asks again after its Retry-After/,
    );
    expect(asked).toBe(1);
  });
});

/** Microsoft's login hosts per cloud, as TEAMS_LOGIN_URL names them (README: GCC High and DoD, China). */
describe('MSAL with a sovereign cloud login host (fetch answered at the HTTP edge, nothing leaves the machine)', () => {
  const cloud = async (loginUrl: string) => {
    const asked: string[] = [];
    const edge: typeof fetch = (input) => {
      const url = urlOf(input);
      asked.push(url.split('?')[0]!);
      const at = `${loginUrl}/${FAKE_TENANT_ID}`;
      const body = url.includes('openid-configuration')
        ? { issuer: `${at}/v2.0`, token_endpoint: `${at}/oauth2/v2.0/token`, authorization_endpoint: at, jwks_uri: at }
        : { token_type: 'Bearer', expires_in: 3600, access_token: 'sovereign-token' };
      return Promise.resolve(Response.json(body));
    };
    const token = outgoingToken({
      loginUrl,
      tenantId: FAKE_TENANT_ID,
      appId: FAKE_APP_ID,
      appPassword: FAKE_APP_PASSWORD,
      scope: 'https://api.botframework.us/.default',
      fetch: edge,
    });
    return { token: await token(), asked };
  };

  it('GCC High / DoD (login.microsoftonline.us): MSAL knows its endpoints, asks its token endpoint only', async () => {
    expect(await cloud('https://login.microsoftonline.us')).toEqual({
      token: 'sovereign-token',
      asked: [`https://login.microsoftonline.us/${FAKE_TENANT_ID}/oauth2/v2.0/token`],
    });
  });

  it("China (login.partner.microsoftonline.cn): the host's OpenID configuration, then its token endpoint", async () => {
    const china = 'https://login.partner.microsoftonline.cn';
    expect(await cloud(china)).toEqual({
      token: 'sovereign-token',
      asked: [
        `${china}/${FAKE_TENANT_ID}/v2.0/.well-known/openid-configuration`,
        `${china}/${FAKE_TENANT_ID}/oauth2/v2.0/token`,
      ],
    });
  });
});
