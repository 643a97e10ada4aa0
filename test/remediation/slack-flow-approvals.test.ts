// Approvals through the real Bolt app: production needs another person's Approve; an expired, a
// concurrent or a replayed click applies nothing (more than once). See slack-flow-harness.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendSigned, sendSlashCommand } from '../fakes/slack-signing.js';
import type { SlackApiCall } from '../fakes/slack-api.js';
import {
  buttonOf,
  CHANNEL,
  REDIS_CONF,
  refOf,
  SECRET,
  SRE,
  SRE2,
  SRE3,
  STRANGER,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from './slack-flow-harness.js';

describe('remediation approvals (production profile, approvals 1 by default)', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow({ access: standardAccess(['dev', 'prod']) });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
  });

  /** SRE previews and submits in prod: the approval request posted in the report's thread. */
  async function requested(): Promise<{ report: SlackApiCall; approval: SlackApiCall }> {
    const report = await f.diagnose('prod');
    const approval = await f.requestFix(SRE, report);
    await f.bot.idle();
    return { report, approval };
  }

  it('refuses the requester approving their own request; another approver applies it', async () => {
    // Given: SRE requested set-eviction-policy in prod; an approval request is in the report's thread.
    const { report, approval } = await requested();
    expect(textOf(approval)).toContain(`<@${SRE}> requests`);
    expect(textOf(approval)).toContain('1 approval needed');
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.patches()).toEqual([]);

    // When: SRE clicks Approve on their own request.
    await f.click(SRE, buttonOf(approval, 'approve'), refOf(approval));

    // Then: refused (self-approval), nothing changed.
    const refused = await f.ephemeral(SRE);
    expect(refused.body.text).toMatch(/You requested this action, so you cannot approve it/);
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.patches()).toEqual([]);

    // When: SRE2 (an approver) clicks Approve.
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));

    // Then: applied once; the approval message is updated; the result is posted in the report's thread.
    const applied = await f.slack.waitFor(
      'chat.postMessage',
      (c) => c.body.thread_ts === refOf(report).ts && /Applied/.test(textOf(c)),
    );
    await f.bot.idle();
    expect(textOf(applied)).toContain(`Approved by <@${SRE2}>`);
    expect(textOf(applied)).toContain(`Requested by <@${SRE}>`);
    const approvalUpdates = f.slack.callsOf('chat.update').filter((c) => c.body.ts === refOf(approval).ts);
    expect(approvalUpdates.map((c) => c.body.text)).toEqual([expect.stringMatching(/^Approved and applied/)]);
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
    expect(f.patches()).toHaveLength(1);
    expect((await f.audit('prod')).map((e) => [e.event, e.actor.userId])).toEqual([
      ['request', SRE],
      ['denial', SRE],
      ['approval', SRE2],
      ['apply', SRE2],
    ]);
  });

  it('refuses to request approval for a preview that expired while it was open', async () => {
    // Given: SRE opened the preview in prod.
    const report = await f.diagnose('prod');
    const view = await f.openPreview(SRE, report);

    // When: the pending TTL passes, then SRE submits it.
    f.clock.skewMs = 31 * 60_000;
    const refused = await f.formAnswer(await f.submit(SRE, view));

    // Then: refused as expired; no approval request is posted (it could never be approved) or audited; the refusal is.
    await f.bot.idle();
    expect(refused).toMatch(/expired/);
    expect(f.slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts)).toEqual([]);
    expect((await f.audit('prod')).map((e) => [e.event, e.result])).toEqual([
      ['denial', expect.stringMatching(/expired/)],
    ]);
  });

  it('refuses to approve an expired request, and an expired preview cannot be applied', async () => {
    // Given: a request in prod, and a preview opened in dev (no approval needed).
    const { approval } = await requested();
    const devReport = await f.diagnose('dev');
    const devView = await f.openPreview(SRE, devReport);

    // When: the pending TTL (30 min by default) passes; SRE2 approves and SRE submits the dev preview.
    f.clock.skewMs = 31 * 60_000;
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));
    const approveRefused = await f.ephemeral(SRE2);
    const applyRefused = await f.formAnswer(await f.submit(SRE, devView));
    await f.bot.idle();

    // Then: both are refused as expired, and nothing changed anywhere.
    expect(approveRefused.body.text).toMatch(/expired/);
    expect(applyRefused).toMatch(/expired/);
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.conf()).toBe(REDIS_CONF);
    expect(f.patches()).toEqual([]);
    expect(await f.configSets()).toBe(0);
    expect((await f.audit('prod')).map((e) => e.event)).not.toContain('apply');
    expect((await f.audit('dev')).map((e) => e.event)).not.toContain('apply');
  });

  it('applies exactly once when two approvers click Approve at the same time', async () => {
    // Given: a request in prod needing one approval.
    const { approval } = await requested();
    const approve = buttonOf(approval, 'approve');

    // When: SRE2 and SRE3 click Approve at once.
    const [a, b] = await Promise.all([
      f.click(SRE2, approve, refOf(approval)),
      f.click(SRE3, approve, refOf(approval)),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const loser = await f.slack.waitFor('chat.postEphemeral', (c) => [SRE2, SRE3].includes(c.body.user));
    await f.bot.idle();

    // Then: one approval and one apply in the audit, one CONFIG SET, one PATCH; the other approver hears "Already …".
    const audit = await f.audit('prod');
    const winner = audit.find((e) => e.event === 'apply')?.actor.userId;
    expect(audit.filter((e) => e.event === 'approval')).toHaveLength(1);
    expect(audit.filter((e) => e.event === 'apply')).toHaveLength(1);
    expect(loser.body.user).not.toBe(winner);
    expect(loser.body.text).toMatch(/^Already (approved|being applied|applied) by <@U0SRE[23]>/);
    expect(f.slack.callsOf('chat.postEphemeral')).toHaveLength(1);
    expect(await f.configSets()).toBe(1);
    expect(f.patches()).toHaveLength(1);
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
  });

  it('refuses a replayed signed Approve (401) and applies nothing twice', async () => {
    // Given: a request in prod, and SRE2's signed Approve click.
    const { approval } = await requested();
    const click = f.clickRequest(SRE2, buttonOf(approval, 'approve'), refOf(approval));

    // When: the very same bytes are sent twice.
    const first = await sendSigned(click);
    const second = await sendSigned(click);
    await f.bot.idle();

    // Then: the replay gets 401; one approval, one apply, one PATCH, one CONFIG SET.
    expect(first.status).toBe(200);
    expect(second.status).toBe(401);
    const events = (await f.audit('prod')).map((e) => e.event);
    expect(events).toEqual(['request', 'approval', 'apply']);
    expect(f.patches()).toHaveLength(1);
    expect(await f.configSets()).toBe(1);
    expect(f.slack.callsOf('chat.postEphemeral')).toHaveLength(0);
  });

  it('audits every step (denial, request, rejection, approval, apply, failure, revert), shown by /session-ttl audit', async () => {
    // Given/When: a stranger's refused click, a request SRE rejects (withdraws), a request SRE2 approves
    // and that is then reverted, and a request whose apply fails (the ConfigMap moved since the preview).
    const report = await f.diagnose('prod');
    expect(JSON.stringify((await f.openPreview(STRANGER, report)).blocks)).toMatch(/You may not request/);

    const first = await f.requestFix(SRE, report);
    await f.click(SRE, buttonOf(first, 'reject'), refOf(first));
    await f.slack.waitFor('chat.update', (c) => c.body.ts === refOf(first).ts);

    const second = await f.requestFix(SRE, report);
    await f.click(SRE2, buttonOf(second, 'approve'), refOf(second));
    const applied = await f.slack.waitFor('chat.postMessage', (c) => /Applied/.test(textOf(c)));
    // A revert in prod needs an approval too (access.environments.prod.revert defaults to approve).
    await f.click(SRE, buttonOf(applied, 'revert'), refOf(applied));
    const revertRequest = await f.slack.waitFor('chat.postMessage', (c) => /revert, restoring/.test(textOf(c)));
    await f.click(SRE2, buttonOf(revertRequest, 'approve'), refOf(revertRequest));
    await f.slack.waitFor('chat.postMessage', (c) => /Reverted/.test(textOf(c)));

    const third = await f.requestFix(SRE, report);
    f.kube.setConfigMap({
      ...f.kube.getConfigMap('redis-session-config'),
      metadata: { name: 'redis-session-config' },
      data: { 'redis.conf': `${REDIS_CONF}# hand edit\n` },
    });
    await f.click(SRE3, buttonOf(third, 'approve'), refOf(third));
    await f.slack.waitFor('chat.postMessage', (c) => /changed since the preview/.test(textOf(c)));
    await f.bot.idle();

    // Then: the stream holds each step, in order, with who did it.
    const audit = await f.audit('prod');
    expect(audit.map((e) => [e.event, e.actor.userId])).toEqual([
      ['denial', STRANGER],
      ['request', SRE],
      ['rejection', SRE],
      ['request', SRE],
      ['approval', SRE2],
      ['apply', SRE2],
      ['request', SRE],
      ['approval', SRE2],
      ['revert', SRE2],
      ['request', SRE],
      ['approval', SRE3],
      ['failure', SRE3],
    ]);
    expect(audit.every((e) => e.env === 'prod' && e.dryRun === false && e.channelId === CHANNEL)).toBe(true);
    const apply = audit.find((e) => e.event === 'apply');
    expect(apply?.changes?.map((c) => c.kind)).toEqual(['redis-config', 'configmap']);
    expect(audit.find((e) => e.event === 'revert')?.changes?.[0]).toMatchObject({
      kind: 'redis-config',
      before: 'volatile-lru',
      after: 'allkeys-lru',
    });

    // And: /session-ttl audit prod shows them, newest first.
    const res = await sendSlashCommand(
      f.baseUrl,
      { text: 'audit prod 20', user_id: SRE, channel_id: CHANNEL, response_url: f.slack.responseUrl('audit') },
      { signingSecret: SECRET },
    );
    expect(res.json.text).toMatch(/Remediation audit of \*prod\*: 12 entries/);
    const shown = await f.slack.waitForResponse((r) => r.id === 'audit');
    const lines = (shown.body.blocks as any[])
      .filter((b) => String(b.block_id).startsWith('audit:'))
      .map((b) => b.text.text as string);
    expect(lines.map((l) => /\*(\w+)\*/.exec(l)?.[1])).toEqual([
      'failure',
      'approval',
      'request',
      'revert',
      'approval',
      'request',
      'apply',
      'approval',
      'request',
      'rejection',
      'request',
      'denial',
    ]);
  });
});
