// The users of an approver group, read with Microsoft Graph (transitiveMembers) for an approval card's
// refresh: the real client against the fake Graph, with its token from the fake login endpoint.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphScope } from '../../../src/chat/teams/graph-groups.js';
import { graphGroupMembers, type EntraGroupMembers } from '../../../src/chat/teams/graph-members.js';
import { outgoingToken } from '../../../src/chat/teams/outgoing-token.js';
import { GroupLookupError } from '../../../src/core/errors.js';
import { startFakeGraphFor, type FakeGraphApi } from '../../fakes/graph-api.js';
import { FAKE_APP_ID, FAKE_APP_PASSWORD, FAKE_TENANT_ID } from '../../fakes/teams-token-issuer.js';
import { startFakeTeamsTokenIssuer, type FakeTeamsTokenIssuer } from '../../fakes/teams-token-issuer.js';
import { captureLogs, type CapturedLogs } from '../slack/log-capture.js';

const SRE_GROUP = '0c9d2e4f-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
const EMPTY_GROUP = '1d0e3f5a-2b3c-4d4e-9f0a-b1c2d3e4f5a6';
const member = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe("an Entra ID group's users through Microsoft Graph (transitiveMembers/microsoft.graph.user)", () => {
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
    graph.setPageSize(999);
    logs = captureLogs();
  });

  function members(o: { max?: number } = {}): EntraGroupMembers {
    const token = outgoingToken({
      loginUrl: issuer.loginUrl,
      fetch: issuer.fetch,
      tenantId: FAKE_TENANT_ID,
      appId: FAKE_APP_ID,
      appPassword: FAKE_APP_PASSWORD,
      scope: graphScope(graph.url),
    });
    return graphGroupMembers({ graphUrl: graph.url, token, logger: logs.logger, now: () => clock.ms, ...o });
  }

  it('reads every page with the app-only Graph token, as Graph takes it, and keeps the list 60 s', async () => {
    // Given a group of five users (Graph may give ids in upper case) that Graph answers two a page
    const five = [1, 2, 3, 4, 5].map(member);
    graph.setGroupMembers(SRE_GROUP, [five[0]!.toUpperCase(), ...five.slice(1)]);
    graph.setPageSize(2);
    const list = members();
    // When it is asked twice within the minute, the second time in upper case
    expect(await list(SRE_GROUP)).toEqual(five);
    clock.ms += 59_000;
    expect(await list(SRE_GROUP.toUpperCase())).toEqual(five);
    // Then three pages were read once, each as Graph takes it (ids only, the cast's advanced query parameters)
    expect(graph.calls.map((c) => [c.method, c.groupId, c.status, c.problems])).toEqual([
      ['GET', SRE_GROUP, 200, []],
      ['GET', SRE_GROUP, 200, []],
      ['GET', SRE_GROUP, 200, []],
    ]);
    expect(graph.calls[0]!.path).toContain('$select=id');
    // And once the minute is over, a change in the group counts
    graph.setGroupMembers(SRE_GROUP, [member(9)]);
    clock.ms += 1_001;
    expect(await list(SRE_GROUP)).toEqual([member(9)]);
  });

  it('a burst of refreshes shares one read; an empty group is an empty list', async () => {
    graph.setGroupMembers(SRE_GROUP, [member(1)]);
    graph.setGroupMembers(EMPTY_GROUP, []);
    const list = members();
    const lists = await Promise.all([list(SRE_GROUP), list(SRE_GROUP), list(SRE_GROUP), list(EMPTY_GROUP)]);
    expect(lists).toEqual([[member(1)], [member(1)], [member(1)], []]);
    expect(graph.calls.map((c) => c.groupId)).toEqual([SRE_GROUP, EMPTY_GROUP]);
  });

  it('reads no more pages than `max` needs', async () => {
    graph.setGroupMembers(SRE_GROUP, [1, 2, 3, 4, 5, 6, 7].map(member));
    graph.setPageSize(3);
    expect(await members({ max: 4 })(SRE_GROUP)).toEqual([1, 2, 3, 4].map(member));
    expect(graph.calls).toHaveLength(2);
  });

  it('403 (no GroupMember.Read.All): rejects saying which permissions to grant, not kept, token never logged', async () => {
    graph.setGroupMembers(SRE_GROUP, [member(1)]);
    graph.refuse({ status: 403, code: 'Authorization_RequestDenied' });
    const list = members();
    const err = await list(SRE_GROUP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GroupLookupError);
    expect((err as GroupLookupError).why).toMatch(/HTTP 403 Authorization_RequestDenied.*GroupMember\.Read\.All/);
    graph.refuse(undefined);
    expect(await list(SRE_GROUP)).toEqual([member(1)]);
    expect(graph.calls.map((c) => c.status)).toEqual([403, 200]);
    expect(logs.raw()).not.toContain('outgoing-token-');
  });

  it('a group Graph does not know (404) rejects', async () => {
    const err = await members()('2e1f4a6b-3c4d-4e5f-8a1b-c2d3e4f5a6b7').catch((e: unknown) => e);
    expect((err as GroupLookupError).why).toBe(
      "Microsoft Graph does not know this group in the bot's tenant (HTTP 404 Request_ResourceNotFound)",
    );
  });
});
