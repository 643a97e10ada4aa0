import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { TEAMS_DEFAULTS } from '../../../src/config/teams-settings.js';
import { startFakeBotConnector, type FakeBotConnector } from '../../fakes/bot-connector.js';
import {
  FAKE_APP_ID,
  FAKE_TENANT_ID,
  startFakeTeamsTokenIssuer,
  type FakeTeamsTokenIssuer,
} from '../../fakes/teams-token-issuer.js';
import { startTestBot, type TestBot } from '../../support/bot-harness.js';
import { sharedRedisUrl } from '../../support/shared-redis.js';
import { fakeTeamsSettings, messageActivity, sendActivity } from './teams-activity.js';

const OTHER_TENANT = '00000000-0000-4000-8000-0000000000bb';

describe('POST /api/messages (Teams, first slice)', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let running: TestBot;

  beforeAll(async () => {
    issuer = await startFakeTeamsTokenIssuer();
    connector = await startFakeBotConnector();
    const teams = fakeTeamsSettings(issuer);
    const config = parseConfig(
      { environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
      'teams-test',
    );
    running = await startTestBot({ config, teams, extra: { teams: { jwksCooldownMs: 0 } } });
  });
  afterAll(async () => {
    await running?.close();
    await connector?.close();
    await issuer?.close();
  });

  const send = (body: unknown, authorization?: string) => sendActivity(running, body, authorization);

  it('answers a signed `help` with one Adaptive Card in reply, sent with the outgoing token', async () => {
    // Given a message signed by the (fake) Bot Framework, when it arrives
    const activity = messageActivity(connector.serviceUrl, 'help');
    const before = connector.calls.length;
    const res = await send(activity, `Bearer ${await issuer.sign(connector.serviceUrl)}`);
    // Then it is accepted and one card is posted in reply to it, with a token from the login endpoint
    expect(res.status).toBe(200);
    const calls = connector.calls.slice(before);
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.conversationId).toBe(activity.conversation.id);
    expect(call.activityId).toBe(activity.id);
    const grant = issuer.grants.find((g) => g.accessToken && call.authorization === `Bearer ${g.accessToken}`);
    expect(grant).toMatchObject({ tenant: FAKE_TENANT_ID, clientId: FAKE_APP_ID, scope: TEAMS_DEFAULTS.botScope });
    expect(call.violations).toEqual([]);
    const attachments = call.body.attachments as { contentType: string; content: { version: string } }[];
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { version: '1.5' },
    });
    expect(JSON.stringify(attachments[0]!.content)).toContain('@session-ttl diagnose <env> [check ...]');
    expect(call.body.summary).toContain('Session TTL bot');
  });

  const nowSec = () => Math.floor(Date.now() / 1000);
  const forged: [string, string, () => Promise<{ token?: string; activity?: ReturnType<typeof messageActivity> }>][] = [
    [
      'wrong audience',
      'wrong_audience',
      async () => ({ token: await issuer.sign(connector.serviceUrl, { claims: { aud: 'another-bot' } }) }),
    ],
    [
      'expired',
      'expired',
      async () => ({
        token: await issuer.sign(connector.serviceUrl, {
          claims: { iat: nowSec() - 7200, nbf: nowSec() - 7200, exp: nowSec() - 3600 },
        }),
      }),
    ],
    [
      'wrong issuer',
      'wrong_issuer',
      async () => ({ token: await issuer.sign(connector.serviceUrl, { claims: { iss: 'https://issuer.example' } }) }),
    ],
    [
      'signed by another key (unknown kid)',
      'unknown_key',
      async () => ({ token: await issuer.sign(connector.serviceUrl, { untrustedKey: true }) }),
    ],
    ['unsigned (alg none)', 'unsigned', () => Promise.resolve({ token: issuer.unsigned(connector.serviceUrl) })],
    ['no bearer token', 'missing', () => Promise.resolve({})],
    [
      'from another tenant',
      'wrong_tenant',
      async () => ({
        token: await issuer.sign(connector.serviceUrl),
        activity: messageActivity(connector.serviceUrl, 'help', OTHER_TENANT),
      }),
    ],
    [
      'for another serviceUrl',
      'wrong_service_url',
      async () => ({ token: await issuer.sign('https://smba.example/teams/') }),
    ],
  ];
  it.each(forged)('refuses a token %s with 401 and sends nothing', async (_name, reason, make) => {
    const { token, activity } = await make();
    const calls = connector.calls.length;
    const grants = issuer.grants.length;
    const res = await send(
      activity ?? messageActivity(connector.serviceUrl, 'help'),
      token ? `Bearer ${token}` : undefined,
    );
    expect(res).toEqual({ status: 401, json: { error: 'unauthorized', reason } });
    expect(connector.calls.length).toBe(calls);
    expect(issuer.grants.length).toBe(grants);
  });

  it('refuses a malformed activity with 400 and sends nothing', async () => {
    const calls = connector.calls.length;
    const token = `Bearer ${await issuer.sign(connector.serviceUrl)}`;
    const { from: _from, ...withoutSender } = messageActivity(connector.serviceUrl, 'help');
    const res = await send(withoutSender, token);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'bad_activity', issues: [expect.stringContaining('from')] });
    expect((await send('{not json', token)).status).toBe(400);
    expect(connector.calls.length).toBe(calls);
  });

  it('accepts a token signed by a key published after start-up (JWKS fetched again for an unknown kid)', async () => {
    const jwksFetches = issuer.fetches.jwks;
    await issuer.rotate();
    const before = connector.calls.length;
    const res = await send(
      messageActivity(connector.serviceUrl, 'help'),
      `Bearer ${await issuer.sign(connector.serviceUrl)}`,
    );
    expect(res.status).toBe(200);
    expect(issuer.fetches.jwks).toBeGreaterThan(jwksFetches);
    expect(connector.calls.length).toBe(before + 1);
  });
});
