import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisStateStore } from '../../../src/adapters/state/redis-state-store.js';
import { redisStreamStore } from '../../../src/adapters/state/redis-stream-store.js';
import { parseConfig } from '../../../src/config/config.js';
import { startFakeBotConnector, type ConnectorCall, type FakeBotConnector } from '../../fakes/bot-connector.js';
import { startFakeGraphFor, type FakeGraphApi } from '../../fakes/graph-api.js';
import { startFakeTeamsTokenIssuer, type FakeTeamsTokenIssuer } from '../../fakes/teams-token-issuer.js';
import { canaryKeys, startTestBot, type TestBot } from '../../support/bot-harness.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import { fakeTeamsSettings, messageActivity, sendActivity } from './teams-activity.js';

/** Entra object ids: two SREs through the group, the lead listed by id, and someone in neither. */
const SRE = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const SRE2 = '5e0b1a2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c';
const LEAD = '7a2d3b4c-5e6f-4a71-9b8c-0d1e2f3a4b5c';
const STRANGER = '8b3e4c5d-6f7a-4b82-8c9d-1e2f3a4b5c6d';
const SRE_GROUP = '0c9d2e4f-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
const ONCALL_SLACK = 'U0ONCALL';

/**
 * The access policy's roles naming Entra ID groups and `aad:` users, decided for Teams actors through the
 * real bot: `verify` is the command that asks the policy (access.environments.<env>.verify), its actor is
 * the signed activity's, and its groups are read from the fake Graph by the real client.
 */
describe('Teams actors in the access policy: Entra ID groups (Graph) and aad: users', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let graph: FakeGraphApi;
  let running: TestBot;
  let redis: Redis;
  let state: Redis;

  beforeAll(async () => {
    redis = await resetSharedRedis();
    state = new Redis(sharedRedisUrl());
    issuer = await startFakeTeamsTokenIssuer();
    connector = await startFakeBotConnector();
    graph = await startFakeGraphFor(issuer);
    const config = parseConfig(
      {
        environments: {
          canary: { profile: 'development', redis: { url: sharedRedisUrl() }, verify: { waitSeconds: 0.05 } },
        },
        access: {
          roles: {
            // Written upper-case as some admin centers show it: the config keeps ids lower-case.
            sre: { entraGroups: [SRE_GROUP.toUpperCase()] },
            lead: { users: [`aad:${LEAD}`] },
            oncall: { userGroups: ['S0ONCALL'] },
          },
          environments: { canary: { verify: ['sre', 'lead', 'oncall'] } },
        },
      },
      'teams-entra-test',
    );
    running = await startTestBot({
      config,
      teams: { ...fakeTeamsSettings(issuer), graphUrl: graph.url },
      extra: {
        teams: { jwksCooldownMs: 0 },
        remediation: { store: redisStateStore(state), streams: redisStreamStore(state), metrics: new Registry() },
      },
    });
  });
  afterAll(async () => {
    await running?.close();
    await graph?.close();
    await connector?.close();
    await issuer?.close();
    state?.disconnect();
    redis?.disconnect();
  });
  beforeEach(async () => {
    await redis.flushall();
    connector.calls.length = 0;
    graph.calls.length = 0;
    graph.refuse(undefined);
    graph.setMembership(SRE, [SRE_GROUP]);
    graph.setMembership(SRE2, [SRE_GROUP]);
    running.slack.setUserGroup('S0ONCALL', [ONCALL_SLACK]);
  });

  /** `verify canary` typed in Teams by the person with Entra object id `objectId`; the connector calls it caused. */
  async function verifyAs(objectId: string): Promise<ConnectorCall[]> {
    const activity = messageActivity(connector.serviceUrl, 'verify canary');
    const from = { id: `29:${objectId}`, aadObjectId: objectId };
    const res = await sendActivity(running, { ...activity, from }, `Bearer ${await issuer.sign(connector.serviceUrl)}`);
    expect(res.status).toBe(200);
    expect(connector.calls.every((c) => c.violations.length === 0)).toBe(true);
    return [...connector.calls];
  }
  const texts = (calls: ConnectorCall[]) => calls.map((c) => String(c.body.summary));

  it('a member of the Entra ID group the role names runs verify; Graph is asked once and its answer kept', async () => {
    // When the SRE (in the group, per Graph) runs verify
    const calls = await verifyAs(SRE);
    // Then it runs: acknowledged, progress posted, the verdict in place
    expect(texts(calls)[0]).toMatch(/^Verifying canary/);
    expect(texts(calls).at(-1)).toMatch(/^Session TTL verification for canary/);
    // Graph was asked about the Entra group only (the Slack user group is Slack's), with a Graph token
    expect(graph.calls).toHaveLength(1);
    expect(graph.calls[0]).toMatchObject({ userId: SRE, status: 200, problems: [], body: { groupIds: [SRE_GROUP] } });
    expect(running.slack.callsOf('usergroups.users.list').map((c) => c.body.usergroup)).not.toContain(SRE_GROUP);

    // When the SRE runs it again within the minute: allowed from the cached answer, Graph not asked again
    connector.calls.length = 0;
    expect(texts(await verifyAs(SRE)).at(-1)).toMatch(/^Session TTL verification for canary/);
    expect(graph.calls).toHaveLength(1);
  });

  it("a Teams user in no role is refused with the policy's words; no canary is written", async () => {
    const calls = await verifyAs(STRANGER);
    expect(texts(calls)).toEqual([
      `You may not verify canary: add your user id (aad:${STRANGER}) to a role listed in access.environments.canary.verify (sre, lead, oncall).`,
    ]);
    expect(graph.calls.map((c) => c.userId)).toEqual([STRANGER]);
    expect(await canaryKeys(redis)).toEqual([]);
  });

  it('Graph refuses (403, permission not granted): refused, saying the membership could not be read and what to grant', async () => {
    // Given an SRE whose membership the bot has not read yet, and Graph refusing the app (no permission)
    graph.refuse({ status: 403, code: 'Authorization_RequestDenied' });
    const calls = await verifyAs(SRE2);
    expect(calls).toHaveLength(1);
    const text = texts(calls)[0]!;
    expect(text).toMatch(new RegExp(`^You may not verify canary: add your user id \\(aad:${SRE2}\\) to a role`));
    expect(text).toContain(
      'Your group membership could not be read, so no group counted: Microsoft Graph refused the bot ' +
        "(HTTP 403 Authorization_RequestDenied): an Entra admin has to grant the bot's app registration the " +
        'Microsoft Graph application permissions GroupMember.Read.All and User.Read.All, with admin consent.',
    );
    expect(await canaryKeys(redis)).toEqual([]);
    expect(
      running.logs.lines.some((l) => l.msg === 'Microsoft Graph refused the group lookup' && l.status === 403),
    ).toBe(true);
    expect(running.logs.raw()).not.toContain('outgoing-token-');
  });

  it('a Teams user listed as aad:<object id> runs verify, even while Graph refuses', async () => {
    graph.refuse({ status: 403, code: 'Authorization_RequestDenied' });
    // The object id as Teams sends it may be upper-case; the actor's user id is lower-case like the config's
    const calls = await verifyAs(LEAD.toUpperCase());
    expect(texts(calls).at(-1)).toMatch(/^Session TTL verification for canary/);
  });

  it('a Slack user still gets the role through a Slack user group, and Graph is not asked', async () => {
    const ack = await running.slash('verify canary', 'slack-verify', 'C0CHAN', ONCALL_SLACK);
    expect(ack.json).toMatchObject({ text: expect.stringMatching(/Verifying \*canary\*/) });
    await running.bot.idle();
    const posts = running.slack.calls.filter((c) => c.method === 'chat.update').map((c) => String(c.body.text));
    expect(posts.at(-1)).toMatch(/^Session TTL verification for canary/);
    expect(running.slack.callsOf('usergroups.users.list').map((c) => c.body.usergroup)).toEqual(['S0ONCALL']);
    expect(graph.calls).toHaveLength(0);
  });
});
