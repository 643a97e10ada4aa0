// Teams clicks the bot refuses or answers late: forged tokens (401, nothing changes), malformed clicks and
// unknown verbs (a clear message), and a preview that outlasts the invoke's deadline. See teams-flow-harness.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  actionOf,
  APPROVER,
  executeActions,
  invokeActivity,
  OUTSIDER,
  posted,
  REQUESTER,
  startTeamsFlow,
  type PostedCard,
  type TeamsFlow,
} from './teams-flow-harness.js';

describe('Teams clicks the bot refuses', () => {
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
  });

  /** A prod request by REQUESTER awaiting approval: its approval card and pending ref. */
  async function approvalCard(): Promise<{ approval: PostedCard; ref: string }> {
    const report = await t.diagnose('prod', REQUESTER);
    const fix = actionOf(report.card, 'fix:set-eviction-policy');
    const preview = await t.click(REQUESTER, report, fix.verb, fix.data);
    const submit = actionOf(preview.value, 'preview');
    const before = t.connector.calls.length;
    await t.click(REQUESTER, report, 'preview', submit.data);
    const post = t.connector.calls.slice(before).find((c) => c.kind === 'reply');
    return { approval: posted(post!), ref: String(submit.data.ref) };
  }

  it('an Approve with a forged token (wrong audience, expired, other tenant, unsigned) is 401 and changes nothing', async () => {
    // Given: a request awaiting approval
    const { approval, ref } = await approvalCard();
    const url = t.connector.serviceUrl;
    const click = invokeActivity(url, APPROVER, approval, 'approve', { ref });
    const past = Math.floor(Date.now() / 1000) - 7200;
    const otherTenant = '00000000-0000-4000-8000-0000000000bb';
    const elsewhere = {
      ...click,
      conversation: { ...click.conversation, tenantId: otherTenant },
      channelData: { tenant: { id: otherTenant } },
    };
    const before = t.connector.calls.length;
    const auditBefore = await t.f.audit('prod');

    // When: the approver's click arrives with each forged token
    const answers = [
      await t.send(click, `Bearer ${await t.issuer.sign(url, { claims: { aud: 'another-bot' } })}`),
      await t.send(click, `Bearer ${await t.issuer.sign(url, { claims: { iat: past, nbf: past, exp: past + 60 } })}`),
      await t.send(elsewhere, `Bearer ${await t.issuer.sign(url)}`),
      await t.send(click, `Bearer ${t.issuer.unsigned(url)}`),
    ];

    // Then: each is refused with the reason, nothing is posted, applied or audited
    expect(answers.map((a) => [a.status, a.json?.reason])).toEqual([
      [401, 'wrong_audience'],
      [401, 'expired'],
      [401, 'wrong_tenant'],
      [401, 'unsigned'],
    ]);
    expect(t.connector.calls.slice(before)).toEqual([]);
    expect(await t.f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(await t.f.configSets()).toBe(0);
    expect(await t.f.audit('prod')).toEqual(auditBefore);
  });

  it('a click with malformed data or an unknown verb gets a clear message, and nothing runs', async () => {
    const report = await t.diagnose('dev', REQUESTER);
    const before = t.connector.calls.length;
    const noRef = await t.click(REQUESTER, report, 'approve', { id: 'x' });
    const badRef = await t.click(REQUESTER, report, 'approve', { ref: 'two words' });
    const unknown = await t.click(REQUESTER, report, 'frobnicate', { ref: 'dev' });
    for (const a of [noRef, badRef, unknown])
      expect(a).toMatchObject({ status: 200, statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect(noRef.value.message).toBe(
      "That click cannot be taken: the click's data has no valid ref (an opaque id of letters, digits, . _ : -). Nothing was done.",
    );
    expect(badRef.value.message).toContain('has no valid ref');
    expect(unknown.value.message).toBe(
      'Unknown action "frobnicate": this button is not one I know. Run the command again for a fresh card.',
    );
    expect(t.connector.calls.slice(before)).toEqual([]);
    expect(await t.f.audit('dev')).toEqual([]);
  });
});

describe('a Teams preview that outlasts the invoke', () => {
  let t: TeamsFlow;
  beforeAll(async () => {
    // The invoke answers at once, before any work can end: the slow path every time.
    t = await startTeamsFlow({ clickDeadlineMs: 0 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers with the progress card and "Show the result", which shows the preview to the clicker only', async () => {
    await t.f.reset();
    const report = await t.diagnose('prod', REQUESTER);
    const fix = actionOf(report.card, 'fix:set-eviction-policy');
    // When: the click's invoke is answered before the preview is ready
    const first = await t.click(REQUESTER, report, fix.verb, fix.data);
    // Then: the card says it is preparing, with a button to show the result
    expect(JSON.stringify(first.value)).toContain('Preparing the preview');
    const show = actionOf(first.value, 'form:show');
    // When: the clicker, then someone else, clicks it (the work has ended)
    const mine = await t.click(REQUESTER, report, show.verb, show.data);
    const theirs = await t.click(OUTSIDER, report, show.verb, show.data);
    // Then: the clicker sees the preview with its submit button; the other person is told it is not theirs
    expect(executeActions(mine.value).map((a) => a.verb)).toEqual(['preview']);
    expect(theirs.value).toBe('That preview was opened by someone else; click the button in the report for your own.');
  });
});
