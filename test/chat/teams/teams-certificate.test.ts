import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { readAppCertificate } from '../../../src/config/teams-certificate.js';
import type { TeamsSettings } from '../../../src/config/teams-settings.js';
import { startFakeBotConnector, type FakeBotConnector } from '../../fakes/bot-connector.js';
import { FAKE_APP_ID, startFakeTeamsTokenIssuer, type FakeTeamsTokenIssuer } from '../../fakes/teams-token-issuer.js';
import { makeAppCertificates, type AppCertificates } from '../../support/app-certificates.js';
import { startTestBot, type TestBot } from '../../support/bot-harness.js';
import { sharedRedisUrl } from '../../support/shared-redis.js';
import { fakeTeamsSettings, messageActivity, sendActivity } from './teams-activity.js';

/** The bot's outgoing token with a certificate instead of a client secret (issue 22, TEAMS_APP_CERTIFICATE_FILE). */
describe('Teams with a certificate credential', () => {
  let certs: AppCertificates;
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let running: TestBot | undefined;
  const config = parseConfig(
    { environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
    'teams-test',
  );

  beforeAll(async () => {
    certs = makeAppCertificates();
    issuer = await startFakeTeamsTokenIssuer();
    // Given the app registration holds the public part of the bot's certificate (not of `other`)
    issuer.registerCertificate(certs.app.certPem);
    connector = await startFakeBotConnector();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  afterAll(async () => {
    await connector?.close();
    await issuer?.close();
    certs?.remove();
  });

  /** The bot's settings with TEAMS_APP_CERTIFICATE_FILE = `pemFile` and no password. */
  function withCertificate(pemFile: string): TeamsSettings {
    const { appPassword: _none, ...settings } = fakeTeamsSettings(issuer);
    const read = readAppCertificate(pemFile);
    if (!read.certificate) throw new Error(read.problem);
    return { ...settings, appCertificate: read.certificate };
  }
  const help = async (bot: TestBot) =>
    sendActivity(
      bot,
      messageActivity(connector.serviceUrl, 'help'),
      `Bearer ${await issuer.sign(connector.serviceUrl)}`,
    );

  it('answers help with a token the login endpoint issued for a signed client assertion, no secret sent', async () => {
    running = await startTestBot({ config, teams: withCertificate(certs.app.pemFile) });
    const grants = issuer.grants.length;
    // When a person asks the bot for help
    expect((await help(running)).status).toBe(200);
    // Then the bot got its token with the certificate, and replied with that token
    const grant = issuer.grants.slice(grants).find((g) => g.scope === 'https://api.botframework.com/.default');
    expect(grant).toMatchObject({ clientId: FAKE_APP_ID, method: 'client_assertion' });
    expect(grant?.refusal).toBeUndefined();
    const reply = connector.calls.at(-1);
    expect(reply).toMatchObject({ kind: 'reply', status: 200, authorization: `Bearer ${grant?.accessToken}` });
    expect(JSON.stringify(reply?.body)).toContain('diagnose');
  });

  it('sends nothing when the certificate is not the registered one, and logs why without the key or the assertion', async () => {
    running = await startTestBot({ config, teams: withCertificate(certs.other.pemFile) });
    const calls = connector.calls.length;
    expect((await help(running)).status).toBe(200);
    // The login endpoint refused the assertion, so no reply went out
    expect(connector.calls.length).toBe(calls);
    expect(issuer.grants.at(-1)).toMatchObject({
      method: 'client_assertion',
      refusal: 'x5t#S256 names no registered certificate',
    });
    expect(issuer.grants.at(-1)?.accessToken).toBeUndefined();
    const logs = running.logs.raw();
    expect(logs).toMatch(/oauth2\/v2\.0\/token answered HTTP 401 \(invalid_client, AADSTS700027\) without a token/);
    expect(logs).not.toContain(certs.other.keyPem.split('\n')[1]);
    expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT (the client assertion) in the logs
  });
});
