import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { TEAMS_DEFAULTS, type TeamsSettings } from '../../../src/config/teams-settings.js';
import { startFakeBotConnector, type FakeBotConnector } from '../../fakes/bot-connector.js';
import {
  FAKE_APP_ID,
  FAKE_APP_PASSWORD,
  FAKE_ISSUER,
  FAKE_TENANT_ID,
  startFakeTeamsTokenIssuer,
  type FakeTeamsTokenIssuer,
} from '../../fakes/teams-token-issuer.js';
import { startTestBot, type TestBot } from '../../support/bot-harness.js';
import { sharedRedisUrl } from '../../support/shared-redis.js';

/** When Microsoft's endpoints fail, the bot says so and sends nothing; it never lets a request through unchecked. */
describe('Teams with its Microsoft endpoints failing', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let running: TestBot | undefined;
  const config = parseConfig(
    { environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
    'teams-test',
  );

  beforeAll(async () => {
    issuer = await startFakeTeamsTokenIssuer();
    connector = await startFakeBotConnector();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  afterAll(async () => {
    await connector?.close();
    await issuer?.close();
  });

  const teams = (o: Partial<TeamsSettings>): TeamsSettings => ({
    appId: FAKE_APP_ID,
    appPassword: FAKE_APP_PASSWORD,
    tenantId: FAKE_TENANT_ID,
    openIdMetadataUrl: issuer.metadataUrl,
    tokenIssuer: FAKE_ISSUER,
    loginUrl: issuer.loginUrl,
    graphUrl: 'http://127.0.0.1:9',
    botScope: TEAMS_DEFAULTS.botScope,
    webUrl: TEAMS_DEFAULTS.webUrl,
    ...o,
  });
  const help = (id: string) => ({
    type: 'message',
    id,
    serviceUrl: connector.serviceUrl,
    text: 'help',
    from: { id: '29:user-1', aadObjectId: 'aad-user-1' },
    recipient: { id: `28:${FAKE_APP_ID}` },
    conversation: { id: `a:personal-${id}`, tenantId: FAKE_TENANT_ID, conversationType: 'personal' },
  });
  async function send(bot: TestBot, body: unknown) {
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await issuer.sign(connector.serviceUrl)}`,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    await bot.bot.idle();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  it('answers 503 (the channel retries) when the OpenID metadata cannot be read, and sends nothing', async () => {
    running = await startTestBot({ config, teams: teams({ openIdMetadataUrl: `${issuer.url}/v1/missing` }) });
    const calls = connector.calls.length;
    expect(await send(running, help('m1'))).toEqual({
      status: 503,
      json: { error: 'unavailable', reason: 'keys_unavailable' },
    });
    expect(connector.calls.length).toBe(calls);
  });

  it('sends nothing when the login endpoint refuses the app password, and never logs the password', async () => {
    running = await startTestBot({ config, teams: teams({ appPassword: 'wrong-password-123' }) });
    const calls = connector.calls.length;
    expect((await send(running, help('m2'))).status).toBe(200);
    expect(connector.calls.length).toBe(calls);
    const grant = issuer.grants.at(-1);
    expect(grant?.clientId).toBe(FAKE_APP_ID);
    expect(grant?.accessToken).toBeUndefined();
    expect(running.logs.raw()).toContain('could not tell the user about an error');
    expect(running.logs.raw()).not.toContain('wrong-password-123');
  });
});
