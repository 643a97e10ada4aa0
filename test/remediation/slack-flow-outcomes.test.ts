// Words after an apply (issue 18 item 16): a late Approve names who applied it, the approval request names
// who may approve, a failed apply is said in the thread and ends the approval message, and the report a
// fix answered says so on top. Through the real Bolt app against the fake Slack and the fake Kubernetes API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../src/core/message.js';
import { fixedLine } from '../../src/remediation/messages.js';
import type { PendingAction } from '../../src/remediation/pending.js';
import type { AppliedResult } from '../../src/remediation/service.js';
import type { SlackApiCall } from '../fakes/slack-api.js';
import {
  buttonOf,
  buttonsOf,
  ONCALL_GROUP,
  REDIS_CM,
  refOf,
  SRE,
  SRE2,
  SRE3,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from './slack-flow-harness.js';

describe('remediation: what is said after an apply', () => {
  let f: Flow;
  beforeAll(async () => {
    const access = standardAccess(['dev', 'prod']);
    // prod is approved by the sre role (users) and the oncall role (a user group).
    access.environments.prod = { ...access.environments.prod, approve: { '*': ['sre', 'oncall'] } } as never;
    f = await startFlow({ access });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
  });

  /** SRE requests the prod fix: the report and the approval request in its thread. */
  async function requested(): Promise<{ report: SlackApiCall; approval: SlackApiCall }> {
    const report = await f.diagnose('prod');
    const approval = await f.requestFix(SRE, report);
    await f.bot.idle();
    return { report, approval };
  }

  it("names who may approve: the roles' users (not the requester) and user groups, mentioned", async () => {
    const { approval } = await requested();
    const text = textOf(approval);
    expect(text).toContain(`May approve: <@${SRE2}>, <@${SRE3}>, <!subteam^${ONCALL_GROUP}>`);
    expect(text).not.toContain(`May approve: <@${SRE}>`);
  });

  it('answers a second Approve after the apply with "Already applied by … at …", not a denial', async () => {
    // Given: SRE2 approved and the change was applied.
    const { approval } = await requested();
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));
    await f.slack.waitFor('chat.postMessage', (c) => /Applied set-eviction-policy in prod/.test(textOf(c)));
    await f.bot.idle();

    // When: SRE2 and SRE3 click the (stale) Approve button again.
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));
    await f.click(SRE3, buttonOf(approval, 'approve'), refOf(approval));

    // Then: each is told who applied it and when; the audit has no denial.
    for (const user of [SRE2, SRE3]) {
      const told = await f.ephemeral(user);
      expect(told.body.text).toMatch(new RegExp(`^Already applied by <@${SRE2}> at \\d{4}-\\d\\d-\\d\\dT`));
    }
    await f.bot.idle();
    expect((await f.audit('prod')).map((e) => e.event)).toEqual(['request', 'approval', 'apply']);
  });

  for (const status of [409, 403, 500]) {
    it(`says in the thread that the apply failed (the API answered ${status}) and ends the approval message`, async () => {
      // Given: a prod request; the Kubernetes API will refuse the ConfigMap PATCH.
      const { report, approval } = await requested();
      f.kube.failNextOn('PATCH', `/configmaps/${REDIS_CM}`, status);

      // When: SRE2 approves.
      await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));

      // Then: the thread says it was not applied (not "Applied"), for everyone; Redis was put back.
      const post = await f.slack.waitFor(
        'chat.postMessage',
        (c) => c.body.thread_ts === refOf(report).ts && /was not applied/.test(textOf(c)),
      );
      expect(textOf(post)).not.toMatch(/Applied set-eviction-policy/);
      expect(textOf(post)).toContain(`Attempted by <@${SRE2}>`);
      // And: the approval message says the real outcome and has no buttons left.
      const updated = await f.slack.waitFor('chat.update', (c) => c.body.ts === refOf(approval).ts);
      expect(updated.body.text).toMatch(/^Approved, but not applied: /);
      expect(buttonsOf(updated)).toEqual([]);
      await f.bot.idle();
      expect(f.slack.callsOf('chat.postEphemeral')).toEqual([]);
      expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
      // And: the report is not marked as fixed.
      expect(f.slack.callsOf('chat.update').filter((c) => c.body.ts === refOf(report).ts)).toEqual([]);
      expect((await f.audit('prod')).map((e) => e.event)).toEqual(['request', 'approval', 'failure']);
    });
  }

  it('puts "Fixed: … by @a, approved by @b at HH:MM, verified ✓" on top of the report', async () => {
    // Given: a prod request approved by SRE2 and applied.
    const { report, approval } = await requested();
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));

    // Then: the report is updated in place with the line on top, the rest of it unchanged.
    const marked = await f.slack.waitFor('chat.update', (c) => c.body.ts === refOf(report).ts);
    const [top, ...rest] = marked.body.blocks as any[];
    expect(top.type).toBe('context');
    expect(top.elements[0].text).toMatch(
      new RegExp(
        `Fixed:\\* \`set-eviction-policy\` by <@${SRE}>, approved by <@${SRE2}> at \\d\\d:\\d\\d UTC, verified ✓$`,
      ),
    );
    expect(rest).toEqual(report.body.blocks);
  });

  it('marks a report fixed when no approval was needed (dev)', async () => {
    const report = await f.diagnose('dev');
    const applied = await f.requestFix(SRE, report);
    expect(textOf(applied)).toMatch(/Applied set-eviction-policy in dev/);
    const marked = await f.slack.waitFor('chat.update', (c) => c.body.ts === refOf(report).ts);
    expect(JSON.stringify(marked.body.blocks[0])).toMatch(
      /Fixed:\* `set-eviction-policy` by <@U0SRE> at \d\d:\d\d UTC, verified ✓/,
    );
  });
});

describe('the "Fixed" line', () => {
  const applied = (ok: boolean): AppliedResult => ({
    record: {
      ...({} as PendingAction),
      action: 'set-eviction-policy',
      requester: { userId: 'U1', teamId: 'T1', channelId: 'C1' },
      approvals: [{ userId: 'U2', at: Date.UTC(2026, 0, 1, 10, 42) }],
      consumed: { userId: 'U2', at: Date.UTC(2026, 0, 1, 10, 42) },
      createdAt: 0,
    },
    recheck: [],
    answers: [],
    outcome: { ok, applied: [] },
    dryRun: false,
    message: '',
  });
  it('says ✗ when the re-run checks still find what the fix answers, and "Partly applied" after a partial apply', () => {
    expect(plainText(fixedLine(applied(true), false))).toBe(
      'Fixed: set-eviction-policy by , approved by  at 10:42 UTC, verified ✗',
    );
    expect(plainText(fixedLine(applied(false), undefined))).toBe(
      'Partly applied: set-eviction-policy by , approved by  at 10:42 UTC',
    );
  });
});
