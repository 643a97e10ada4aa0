// The approved-fix flow in Microsoft Teams, end to end: the report's Action.Execute buttons, the preview as
// the clicker's refreshed card, the approval request with per-person views, the apply once, the audit with
// the Entra object ids, and Revert. See teams-flow-harness.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cardViolations } from '../fakes/adaptive-card-limits.js';
import {
  aad,
  actionOf,
  APPROVER,
  executeActions,
  mri,
  OUTSIDER,
  posted,
  REQUESTER,
  startTeamsFlow,
  TEAMS_CHANNEL,
  TEAMS_TEAM,
  type PostedCard,
  type TeamsFlow,
} from './teams-flow-harness.js';

describe('the fix flow in Teams (issue 22, Actions)', () => {
  let t: TeamsFlow;
  beforeAll(async () => {
    t = await startTeamsFlow();
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await t.f.reset();
    t.connector.calls.length = 0;
    t.connector.memberLookups.length = 0;
  });

  /**
   * The connector posts in the report's thread since `from`: replies to the thread's root in the thread's
   * conversation (`…/conversations/{channel};messageid={root}/activities/{root}`).
   */
  const threadPosts = (report: PostedCard, from = 0) => {
    const root = report.conversationId.split(';messageid=')[1];
    return t.connector.calls
      .slice(from)
      .filter((c) => c.kind === 'reply' && c.conversationId === report.conversationId && c.activityId === root);
  };

  /** REQUESTER previews the report's fix and submits it with volatile-lru: the approval request's post. */
  async function requested(report: PostedCard) {
    const fix = actionOf(report.card, 'fix:set-eviction-policy');
    const preview = await t.click(REQUESTER, report, fix.verb, fix.data);
    const submit = actionOf(preview.value, 'preview');
    const before = t.connector.calls.length;
    const done = await t.click(REQUESTER, report, 'preview', { ...submit.data, 'param:policy': 'volatile-lru' });
    const [approval] = threadPosts(report, before);
    if (!approval) throw new Error('no approval request was posted');
    return { preview, done, approval: posted(approval), ref: String(submit.data.ref) };
  }

  it('report -> preview -> request -> self-approval refused -> second approver applies once -> audit -> revert', async () => {
    // Given: a prod report in the Teams channel, with a fix button that carries only its offer id
    const report = await t.diagnose('prod', REQUESTER);
    const fix = actionOf(report.card, 'fix:set-eviction-policy');
    expect(Object.keys(fix.data)).toEqual(['ref']);
    expect(cardViolations(report.card)).toEqual([]);

    // When: the requester clicks it, then submits the preview (its inputs, verb = the preview form)
    const { preview, done, approval, ref } = await requested(report);

    // Then: the preview was the clicker's card, with the policy as an input; the request went to the thread
    expect(preview).toMatchObject({ status: 200, statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const inputs = (preview.value.body as Record<string, unknown>[]).filter((e) => e.type === 'Input.ChoiceSet');
    expect(inputs).toMatchObject([{ id: 'param:policy', label: 'maxmemory-policy' }]);
    expect(JSON.stringify(done.value)).toContain('Requested: 1 approval needed');
    // The request shows no buttons to everyone; Teams refreshes it for the requester and the approver, named by
    // their Teams user ids (MRIs): the requester's from their own activities, the approver's from the connector
    expect(executeActions(approval.card)).toEqual([]);
    expect(approval.card.refresh).toMatchObject({ action: { verb: 'refresh', data: { ref } } });
    expect((approval.card.refresh as { userIds: string[] }).userIds.sort()).toEqual(
      [mri(REQUESTER), mri(APPROVER)].sort(),
    );
    // In a team the member is asked of the team, as the Agents SDK's TeamsInfo.getMember does.
    expect(t.connector.memberLookups).toEqual([{ conversationId: TEAMS_TEAM, userId: APPROVER, status: 200 }]);
    expect(await t.f.configGet('maxmemory-policy')).toBe('allkeys-lru');

    // When: the approver's client refreshes; so does someone else's by hand
    const mine = await t.click(APPROVER, approval, 'refresh', { ref });
    const theirs = await t.click(OUTSIDER, approval, 'refresh', { ref });
    // Then: the approver's view has Approve and Reject; the other one has none
    expect(executeActions(mine.value).map((a) => a.verb)).toEqual(['approve', 'reject']);
    expect(executeActions(theirs.value)).toEqual([]);
    // Their views carry the same refresh (the MRIs remembered: no second lookup)
    expect(mine.value.refresh).toEqual(approval.card.refresh);
    expect(theirs.value.refresh).toEqual(approval.card.refresh);
    expect(t.connector.memberLookups).toHaveLength(1);

    // When: the requester clicks Approve on their own request
    const self = await t.click(REQUESTER, approval, 'approve', { ref });
    // Then: refused in words, nothing changed
    expect(self).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(self.value).toMatch(/You requested this action, so you cannot approve it/);
    expect(await t.f.configGet('maxmemory-policy')).toBe('allkeys-lru');

    // When: the approver approves, then clicks Approve again
    const before = t.connector.calls.length;
    const approved = await t.click(APPROVER, approval, 'approve', { ref });
    const again = await t.click(APPROVER, approval, 'approve', { ref });

    // Then: applied once (read back from Redis), the request card updated in place, the result in the thread
    expect(JSON.stringify(approved.value)).toContain('Approved and applied');
    expect(again.value).toMatch(/already|no longer|not pending/i);
    expect(await t.f.configGet('maxmemory-policy')).toBe('volatile-lru');
    expect(await t.f.configSets()).toBe(1);
    expect(t.f.patches()).toHaveLength(1);
    const updates = t.connector.calls.slice(before).filter((c) => c.kind === 'update');
    expect(updates.map((c) => c.activityId)).toContain(approval.activityId);
    const applied = threadPosts(report, before).find((c) => String(c.body.summary).includes('Applied'));
    expect(applied).toBeDefined();
    expect(t.connector.calls.every((c) => c.violations.length === 0)).toBe(true);
    expect((await t.f.audit('prod')).map((e) => [e.event, e.actor.userId])).toEqual([
      ['request', aad(REQUESTER)],
      ['denial', aad(REQUESTER)],
      ['approval', aad(APPROVER)],
      ['apply', aad(APPROVER)],
    ]);
    // The audit names the channel by its id, not by the thread's conversation id
    expect((await t.f.audit('prod')).map((e) => e.channelId)).toEqual(Array(4).fill(TEAMS_CHANNEL));

    // When: the requester clicks Revert on the applied post (reverts need no approval here)
    const appliedCard = posted(applied!);
    const revert = actionOf(appliedCard.card, 'revert');
    const reverted = await t.click(REQUESTER, appliedCard, 'revert', revert.data);
    // Then: the previous policy is back
    expect(reverted.status).toBe(200);
    expect(await t.f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect((await t.f.audit('prod')).map((e) => e.event).slice(-1)).toEqual(['revert']);
  });

  it('someone the policy does not name gets the preview refused in its words, and nothing is prepared', async () => {
    const report = await t.diagnose('prod', REQUESTER);
    const fix = actionOf(report.card, 'fix:set-eviction-policy');
    const refused = await t.click(OUTSIDER, report, fix.verb, fix.data);
    const text = JSON.stringify(refused.value);
    expect(text).toContain(`You may not request set-eviction-policy in prod: add your user id (${aad(OUTSIDER)})`);
    expect(executeActions(refused.value)).toEqual([]);
    expect((await t.f.audit('prod')).map((e) => [e.event, e.actor.userId])).toEqual([['denial', aad(OUTSIDER)]]);
  });
});
