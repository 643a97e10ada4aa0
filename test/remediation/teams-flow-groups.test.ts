// Approvers who hold the approving role through an Entra ID group, in Teams: the approval card's refresh names
// the group's members (read with Microsoft Graph), so their view has Approve and Reject. The real bot, the fake
// Bot Connector and the fake Graph on loopback. See teams-flow-harness.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphScope } from '../../src/chat/teams/graph-groups.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { startFakeGraphApi, type FakeGraphApi } from '../fakes/graph-api.js';
import { CHANNEL } from './slack-flow-harness.js';
import { aad, actionOf, APPROVER, executeActions, mri, OUTSIDER, posted, REQUESTER } from './teams-flow-harness.js';
import { startTeamsFlow, TEAMS_CHANNEL, type PostedCard, type TeamsFlow } from './teams-flow-harness.js';

const ONCALL = '0c9d2e4f-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
const CROWD = '1d0e3f5a-2b3c-4d4e-9f0a-b1c2d3e4f5a6';
const LOCKED = '2e1f4a6b-3c4d-4e5f-8a1b-c2d3e4f5a6b7';
const person = (i: number) => `0000bbbb-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** The requester alone in `sre`; each environment's approvers are an Entra ID group (a role of its own). */
function groupAccess() {
  const rules = (group: string) => ({ request: { '*': ['sre'] }, approve: { '*': ['sre', group] }, approvals: 1 });
  return {
    roles: {
      sre: { users: [aad(REQUESTER)] },
      oncall: { entraGroups: [ONCALL] },
      crowd: { entraGroups: [CROWD] },
      locked: { entraGroups: [LOCKED] },
    },
    channels: [CHANNEL, TEAMS_CHANNEL],
    environments: { prod: rules('oncall'), stage: rules('crowd'), qa: rules('locked') },
  };
}

describe('approvers through an Entra ID group get the approval buttons in Teams (issue 22)', () => {
  let t: TeamsFlow;
  let graph: FakeGraphApi;
  const logs = captureLogs();
  beforeAll(async () => {
    graph = await startFakeGraphApi({
      acceptToken: (token) => t.issuer.grants.some((g) => g.accessToken === token && g.scope === graphScope(graph.url)),
    });
    const production = { profile: 'production' as const };
    const envs = { prod: production, stage: production, qa: production };
    t = await startTeamsFlow({ access: groupAccess(), envs, graphUrl: graph.url, logger: logs.logger });
  });
  afterAll(async () => {
    await t?.close();
    await graph?.close();
  });
  beforeEach(async () => {
    await t.f.reset();
    t.connector.calls.length = 0;
    graph.calls.length = 0;
    graph.refuse(undefined);
    graph.setGroupMembers(ONCALL, [APPROVER]);
    graph.setMembership(APPROVER, [ONCALL]);
  });

  /** REQUESTER previews `env`'s fix and submits it: the approval request's post in the report's thread. */
  async function requested(env: string, beforeSubmit?: () => void) {
    const report = await t.diagnose(env, REQUESTER);
    const fix = actionOf(report.card, 'fix:set-eviction-policy');
    const submit = actionOf((await t.click(REQUESTER, report, fix.verb, fix.data)).value, 'preview');
    beforeSubmit?.();
    const before = t.connector.calls.length;
    await t.click(REQUESTER, report, 'preview', { ...submit.data, 'param:policy': 'volatile-lru' });
    const approval = t.connector.calls.slice(before).find((c) => c.kind === 'reply');
    if (!approval) throw new Error('no approval request was posted');
    return { approval: posted(approval), ref: String(submit.data.ref) };
  }
  const userIds = (card: PostedCard) => (card.card.refresh as { userIds?: string[] }).userIds;

  it("a group member is in the card's refresh, sees Approve / Reject, and approves; a throttled listing is retried", async () => {
    // Given Graph throttling the first call after the preview (the listing of the group's members)
    const { approval, ref } = await requested('prod', () => graph.throttle(1, '0'));
    // Then the refresh names the requester, then the group's member, by MRI
    expect(userIds(approval)).toEqual([mri(REQUESTER), mri(APPROVER)]);
    const listings = graph.calls.filter((c) => c.groupId === ONCALL);
    expect(listings.map((c) => [c.status, c.problems])).toEqual([
      [429, []],
      [200, []],
    ]);
    // When the member's client refreshes the card, and someone else's
    const mine = await t.click(APPROVER, approval, 'refresh', { ref });
    const theirs = await t.click(OUTSIDER, approval, 'refresh', { ref });
    // Then the member (in the group, per Graph) has the buttons; the other one has the note
    expect(executeActions(mine.value).map((a) => a.verb)).toEqual(['approve', 'reject']);
    expect(executeActions(theirs.value)).toEqual([]);
    // And the member's Approve applies (the policy reads their group at the click)
    const approved = await t.click(APPROVER, approval, 'approve', { ref });
    expect(JSON.stringify(approved.value)).toContain('Approved and applied');
    expect(await t.f.configGet('maxmemory-policy')).toBe('volatile-lru');
    expect((await t.f.audit('prod')).map((e) => [e.event, e.actor.userId])).toContainEqual(['approval', aad(APPROVER)]);
  });

  it('a group larger than Teams takes: the requester and the first 59 members, and the card says so', async () => {
    const crowd = Array.from({ length: 70 }, (_, i) => person(i + 1));
    for (const p of crowd) t.connector.members.set(p, mri(p));
    graph.setGroupMembers(CROWD, crowd);
    const { approval } = await requested('stage');
    expect(userIds(approval)).toEqual([REQUESTER, ...crowd.slice(0, 59)].map(mri));
    expect(JSON.stringify(approval.card.body)).toContain('Teams refreshes it by itself for the first 60 of them only');
    expect(t.connector.calls.every((c) => c.violations.length === 0)).toBe(true);
  });

  it('Graph refusing the listing leaves the group out (logged, no token); the card is posted all the same', async () => {
    graph.setGroupMembers(LOCKED, [APPROVER]);
    graph.refuse({ status: 403, code: 'Authorization_RequestDenied' });
    const { approval, ref } = await requested('qa');
    expect(userIds(approval)).toEqual([mri(REQUESTER)]);
    const left = logs.lines.filter((l) => l.msg === "left an Entra ID group's members out of a card's refresh.userIds");
    expect(left.at(-1)).toMatchObject({ group: LOCKED, why: expect.stringContaining('HTTP 403') });
    expect(logs.raw()).not.toContain('outgoing-token-');
    // The member's view cannot be told either (their groups are unreadable): the note, and no buttons
    expect(executeActions((await t.click(APPROVER, approval, 'refresh', { ref })).value)).toEqual([]);
  });
});
