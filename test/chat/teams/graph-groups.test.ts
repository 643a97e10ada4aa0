import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphGroupMembership, graphScope, type EntraMembership } from '../../../src/chat/teams/graph-groups.js';
import { outgoingToken } from '../../../src/chat/teams/outgoing-token.js';
import { TEAMS_DEFAULTS } from '../../../src/config/teams-settings.js';
import { GroupLookupError } from '../../../src/core/errors.js';
import { startFakeGraphApi, startFakeGraphFor, type FakeGraphApi } from '../../fakes/graph-api.js';
import {
  FAKE_APP_ID,
  FAKE_APP_PASSWORD,
  FAKE_TENANT_ID,
  startFakeTeamsTokenIssuer,
  type FakeTeamsTokenIssuer,
} from '../../fakes/teams-token-issuer.js';
import { captureLogs, type CapturedLogs } from '../slack/log-capture.js';

const USER = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const SRE_GROUP = '0c9d2e4f-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
const DBA_GROUP = '1d0e3f5a-2b3c-4d4e-9f0a-b1c2d3e4f5a6';
const group = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** The Graph client against the fake Graph, with its token from the fake login endpoint (client credentials). */
describe('Entra ID group membership through Microsoft Graph (checkMemberGroups)', () => {
  let issuer: FakeTeamsTokenIssuer;
  let graph: FakeGraphApi;
  let logs: CapturedLogs;
  const clock = { ms: 1_700_000_000_000 };

  beforeAll(async () => {
    issuer = await startFakeTeamsTokenIssuer();
    graph = await startFakeGraphFor(issuer);
  });
  afterAll(async () => {
    await graph?.close();
    await issuer?.close();
  });
  beforeEach(() => {
    graph.calls.length = 0;
    graph.refuse(undefined);
    logs = captureLogs();
  });

  function membership(o: { graphUrl?: string; appPassword?: string } = {}): EntraMembership {
    const graphUrl = o.graphUrl ?? graph.url;
    const token = outgoingToken({
      loginUrl: issuer.loginUrl,
      fetch: issuer.fetch,
      tenantId: FAKE_TENANT_ID,
      appId: FAKE_APP_ID,
      appPassword: o.appPassword ?? FAKE_APP_PASSWORD,
      scope: graphScope(graphUrl),
    });
    // A 429 is retried after its Retry-After: waited out at once here
    return graphGroupMembership({ graphUrl, token, logger: logs.logger, now: () => clock.ms, sleep: async () => {} });
  }

  /** The GroupLookupError a lookup rejects with. */
  async function refusal(lookup: Promise<string[]>): Promise<GroupLookupError> {
    const err = await lookup.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof GroupLookupError)) throw new Error(`expected a GroupLookupError, got ${String(err)}`);
    return err;
  }

  it('asks with an app-only Graph token for the groups, and keeps the answer for 60 s', async () => {
    graph.setMembership(USER, [SRE_GROUP]);
    const groups = membership();
    // When the policy's two groups are asked about, twice within the minute
    expect(await groups(USER.toUpperCase(), [SRE_GROUP, DBA_GROUP])).toEqual([SRE_GROUP]);
    clock.ms += 59_000;
    expect(await groups(USER, [DBA_GROUP, SRE_GROUP])).toEqual([SRE_GROUP]);
    // Then Graph was called once, as Graph takes it, with a token granted for the Graph scope
    expect(graph.calls).toHaveLength(1);
    expect(graph.calls[0]).toMatchObject({
      userId: USER,
      status: 200,
      problems: [],
      body: { groupIds: [SRE_GROUP, DBA_GROUP] },
    });
    expect(issuer.grants.at(-1)).toMatchObject({
      tenant: FAKE_TENANT_ID,
      clientId: FAKE_APP_ID,
      scope: `${graph.url}/.default`,
    });
    // And once the minute is over, a removal from the group counts
    graph.setMembership(USER, []);
    clock.ms += 1_001;
    expect(await groups(USER, [SRE_GROUP, DBA_GROUP])).toEqual([]);
    expect(graph.calls).toHaveLength(2);
  });

  it('asks about at most 20 groups per call', async () => {
    const many = Array.from({ length: 45 }, (_, i) => group(i + 1));
    graph.setMembership(USER, [group(3), group(44)]);
    expect((await membership()(USER, many)).sort()).toEqual([group(3), group(44)]);
    expect(graph.calls.map((c) => (c.body as { groupIds: string[] }).groupIds.length)).toEqual([20, 20, 5]);
    expect(graph.calls.every((c) => c.status === 200)).toBe(true);
  });

  it('403 (the permission is not granted): rejects saying which permissions to grant, not cached, token never logged', async () => {
    graph.setMembership(USER, [SRE_GROUP]);
    graph.refuse({ status: 403, code: 'Authorization_RequestDenied' });
    const groups = membership();
    const err = await refusal(groups(USER, [SRE_GROUP]));
    expect(err.why).toBe(
      "Microsoft Graph refused the bot (HTTP 403 Authorization_RequestDenied): an Entra admin has to grant the bot's " +
        'app registration the Microsoft Graph application permissions GroupMember.Read.All and User.Read.All, with admin consent',
    );
    // Once granted, the next lookup asks again (a refusal is not kept)
    graph.refuse(undefined);
    expect(await groups(USER, [SRE_GROUP])).toEqual([SRE_GROUP]);
    expect(graph.calls.map((c) => c.status)).toEqual([403, 200]);
    expect(logs.lines.find((l) => l.msg === 'Microsoft Graph refused the group lookup')).toMatchObject({
      status: 403,
      code: 'Authorization_RequestDenied',
    });
    expect(logs.raw()).not.toContain('outgoing-token-');
  });

  it.each([
    [401, 'InvalidAuthenticationToken', /refused the bot's token \(HTTP 401 InvalidAuthenticationToken\)/],
    [503, 'serviceNotAvailable', /Microsoft Graph is unavailable \(HTTP 503 serviceNotAvailable\); try again later/],
    [429, 'TooManyRequests', /throttling the bot \(HTTP 429 TooManyRequests\)/],
  ])('HTTP %i: rejects with words for the person', async (status, code, why) => {
    graph.refuse({ status, code });
    expect((await refusal(membership()(USER, [SRE_GROUP]))).why).toMatch(why);
  });

  it('a token Graph does not take is a 401 from the fake itself (the bearer is checked)', async () => {
    // A token for the Bot Connector's scope is not a Graph token
    const wrongScope = outgoingToken({
      loginUrl: issuer.loginUrl,
      fetch: issuer.fetch,
      tenantId: FAKE_TENANT_ID,
      appId: FAKE_APP_ID,
      appPassword: FAKE_APP_PASSWORD,
      scope: TEAMS_DEFAULTS.botScope,
    });
    const groups = graphGroupMembership({ graphUrl: graph.url, token: wrongScope, logger: logs.logger });
    expect((await refusal(groups(USER, [SRE_GROUP]))).why).toMatch(/HTTP 401/);
    expect(graph.calls[0]!.problems).toEqual(['token: not a Graph token the login endpoint issued']);
  });

  it('Graph unreachable, or no token from the login endpoint: rejects, and says what to check', async () => {
    const closed = await startFakeGraphApi({ acceptToken: () => true });
    await closed.close();
    expect((await refusal(membership({ graphUrl: closed.url })(USER, [SRE_GROUP]))).why).toBe(
      'Microsoft Graph (TEAMS_GRAPH_URL) could not be reached; try again later',
    );
    expect((await refusal(membership({ appPassword: 'not-the-app-password-123' })(USER, [SRE_GROUP]))).why).toMatch(
      /could not get its token for Microsoft Graph from TEAMS_LOGIN_URL/,
    );
    expect(graph.calls).toHaveLength(0);
    expect(logs.raw()).not.toContain('not-the-app-password-123');
  });
});
