// An approval card's people when a role names an Entra ID group: its members (Microsoft Graph) join the
// card's refresh.userIds after the requester and the approvers named, within Teams' 60. The real clients
// against the fake Graph and the fake Bot Connector.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { botConnector } from '../../../src/chat/teams/bot-connector.js';
import { graphScope } from '../../../src/chat/teams/graph-groups.js';
import { graphGroupMembers } from '../../../src/chat/teams/graph-members.js';
import { memberMris, type MemberMris } from '../../../src/chat/teams/member-mris.js';
import { startFakeBotConnector, type FakeBotConnector } from '../../fakes/bot-connector.js';
import { startFakeGraphFor, type FakeGraphApi } from '../../fakes/graph-api.js';
import { FAKE_APP_ID, FAKE_APP_PASSWORD, FAKE_TENANT_ID } from '../../fakes/teams-token-issuer.js';
import { startFakeTeamsTokenIssuer, type FakeTeamsTokenIssuer } from '../../fakes/teams-token-issuer.js';
import { outgoingToken } from '../../../src/chat/teams/outgoing-token.js';
import { captureLogs, type CapturedLogs } from '../slack/log-capture.js';

const person = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const mriOf = (i: number) => `29:1person${i}`;
const REQUESTER = 1;
const NAMED = 2;
const SRE_GROUP = '0c9d2e4f-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
const DBA_GROUP = '1d0e3f5a-2b3c-4d4e-9f0a-b1c2d3e4f5a6';
const CHANNEL = '19:ops@thread.tacv2';

describe("memberMris: an audience's Entra ID groups, expanded to their members' MRIs", () => {
  let issuer: FakeTeamsTokenIssuer;
  let graph: FakeGraphApi;
  let connector: FakeBotConnector;
  let logs: CapturedLogs;
  const at = () => ({ serviceUrl: connector.serviceUrl, conversationId: `${CHANNEL};messageid=1718032100123` });
  /** The requester, one approver named by id, the approver groups (and a Slack user group, Slack's). */
  const audience = [`aad:${person(REQUESTER)}`, `aad:${person(NAMED)}`, { group: SRE_GROUP }, { group: 'S0ONCALL' }];

  beforeAll(async () => {
    issuer = await startFakeTeamsTokenIssuer();
    connector = await startFakeBotConnector();
    graph = await startFakeGraphFor(issuer);
    for (let i = 1; i <= 80; i++) connector.members.set(person(i), mriOf(i));
  });
  afterAll(async () => {
    await graph?.close();
    await connector?.close();
    await issuer?.close();
  });
  beforeEach(() => {
    graph.calls.length = 0;
    graph.refuse(undefined);
    connector.memberLookups.length = 0;
    logs = captureLogs();
  });

  const resolver = (): MemberMris => {
    const token = outgoingToken({
      loginUrl: issuer.loginUrl,
      fetch: issuer.fetch,
      tenantId: FAKE_TENANT_ID,
      appId: FAKE_APP_ID,
      appPassword: FAKE_APP_PASSWORD,
      scope: graphScope(graph.url),
    });
    return memberMris({
      connector: botConnector({ token: () => Promise.resolve('token'), logger: logs.logger }),
      groupMembers: graphGroupMembers({ graphUrl: graph.url, token, logger: logs.logger }),
      logger: logs.logger,
    });
  };

  it('the requester first, then the approvers named, then the group members (each once)', async () => {
    // Given the SRE group: the named approver again, two others
    graph.setGroupMembers(SRE_GROUP, [person(NAMED), person(10), person(11)]);
    const ids = await resolver().refreshUserIds(at(), audience);
    expect(ids).toEqual([mriOf(REQUESTER), mriOf(NAMED), mriOf(10), mriOf(11)]);
    // Graph was asked about the Entra ID group only
    expect(graph.calls.map((c) => c.groupId)).toEqual([SRE_GROUP]);
  });

  it('more people than Teams takes: the first 60 in that order, and one more to say the list was cut', async () => {
    const crowd = Array.from({ length: 70 }, (_, i) => i + 5);
    graph.setGroupMembers(SRE_GROUP, crowd.map(person));
    const ids = await resolver().refreshUserIds(at(), audience);
    expect(ids).toEqual([REQUESTER, NAMED, ...crowd.slice(0, 59)].map(mriOf));
    // No more people asked of the connector than were needed
    expect(connector.memberLookups).toHaveLength(61);
  });

  it('members not in the conversation are skipped and the next ones asked, up to 61', async () => {
    // 30 members the connector does not know (not in the team), then 40 who are
    const strangers = Array.from({ length: 30 }, (_, i) => person(200 + i));
    const known = Array.from({ length: 40 }, (_, i) => i + 10);
    graph.setGroupMembers(SRE_GROUP, [...strangers, ...known.map(person)]);
    const ids = await resolver().refreshUserIds(at(), audience);
    expect(ids).toEqual([REQUESTER, NAMED, ...known].map(mriOf));
  });

  it('Graph refusing (403) leaves the group out, logged without the token; the named people stay', async () => {
    graph.refuse({ status: 403, code: 'Authorization_RequestDenied' });
    const ids = await resolver().refreshUserIds(at(), [...audience, { group: DBA_GROUP }]);
    expect(ids).toEqual([mriOf(REQUESTER), mriOf(NAMED)]);
    const left = logs.lines.filter((l) => l.msg === "left an Entra ID group's members out of a card's refresh.userIds");
    expect(left.map((l) => l.group).sort()).toEqual([SRE_GROUP, DBA_GROUP].sort());
    expect(String(left[0]!.why)).toMatch(/HTTP 403 Authorization_RequestDenied/);
    expect(logs.raw()).not.toContain('outgoing-token-');
  });
});
