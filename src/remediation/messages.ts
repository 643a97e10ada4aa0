import { t, type Block, type Inline, type Message, type Span } from '../core/message.js';
import type { PendingAction } from './pending.js';
import { outcomeLines } from './plan-message.js';
import type { ApplyOutcome } from './types.js';
import type { AppliedResult, Approvers } from './service.js';

const when = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const user = (id: string): Inline => [{ mentionUser: id }];

/** "May approve: @a, @b, @group", or who to ask when the policy names nobody. */
function approversLine(approvers: Approvers): Inline {
  const mentions: Span[] = [
    ...approvers.users.map((u): Span => ({ mentionUser: u })),
    ...approvers.groups.map((g): Span => ({ mentionGroup: g })),
  ];
  if (!mentions.length) return [t('Nobody else may approve it: the access policy names no other approver.')];
  return [t('May approve: '), ...mentions.flatMap((m, i) => (i ? [t(', '), m] : [m]))];
}

/**
 * Posted in the report's thread when a request needs approval: who asked, what, who may approve (the
 * approve roles' users and user groups, mentioned), and Approve / Reject.
 */
export function approvalRequestMessage(record: PendingAction, awaiting: number, approvers?: Approvers): Message {
  const text: Inline = [
    { icon: 'hourglass' },
    t(' '),
    ...user(record.requester.userId),
    t(` requests `),
    t(record.action, { code: true }),
    t(` in ${record.env}: ${record.summary}. `),
    t(`${awaiting} approval${awaiting === 1 ? '' : 's'} needed`, { bold: true }),
    t(` (not the requester); expires ${when(record.expiresAt)}.`),
  ];
  return {
    text: `${record.action} in ${record.env} needs ${awaiting} approval(s): ${record.summary}`,
    blocks: [
      { kind: 'section', id: 'approval-request', text },
      ...(approvers ? [{ kind: 'context' as const, id: 'approvers', items: [approversLine(approvers)] }] : []),
      {
        kind: 'actions',
        id: 'approval-actions',
        actions: [
          { command: 'approve', label: 'Approve', ref: record.id, style: 'primary' },
          { command: 'reject', label: 'Reject', ref: record.id, style: 'danger' },
        ],
        // The requester may withdraw (Reject); the approvers decide: named by user, then their groups' members.
        audience: [
          ...new Set([record.requester.userId, ...(approvers?.users ?? [])]),
          ...(approvers?.groups ?? []).map((group) => ({ group })),
        ],
      },
    ],
  };
}

/** Who clicked the apply, in words that fit what it did: applied, applied partly, or only attempted. */
function appliedVerb(result: AppliedResult): string {
  if (result.dryRun || result.outcome?.ok) return 'Applied';
  return result.outcome?.applied.length ? 'Applied partly' : 'Attempted';
}

/** What happened after an apply: who requested, who approved, each change before and after, and Revert. */
export function appliedMessage(result: AppliedResult): Message {
  const r = result.record;
  const lines: Inline[] = [
    [t('Requested by '), ...user(r.requester.userId)],
    ...(r.approvals.length
      ? [[t('Approved by '), ...r.approvals.flatMap((a, i) => [...(i ? [t(', ')] : []), ...user(a.userId)])]]
      : []),
    ...(r.consumed
      ? [[t(`${appliedVerb(result)} by `), ...user(r.consumed.userId), t(` at ${when(r.consumed.at)}`)]]
      : []),
  ];
  const changes = result.dryRun
    ? [[{ icon: 'info' as const }, t(' Dry run (remediation.dryRun): nothing was changed.')]]
    : outcomeLines(result.outcome ?? { ok: false, applied: [] });
  const blocks: Block[] = [
    {
      kind: 'section',
      id: 'applied',
      text: [{ icon: result.outcome?.ok ? 'ok' : 'error' }, t(` ${result.message}`, { bold: true })],
    },
    ...changes.map((c, i): Block => ({ kind: 'section', id: `change:${i}`, text: c })),
    { kind: 'context', id: 'who', items: lines },
  ];
  if (result.revertId)
    blocks.push({
      kind: 'actions',
      id: 'revert-actions',
      actions: [{ command: 'revert', label: 'Revert', ref: result.revertId, style: 'danger' }],
    });
  return { text: result.message, blocks };
}

const hhmm = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;

/**
 * The approval message once its request is decided by an apply: what really happened (applied, applied
 * partly, failed, not applied and why, dry run) and who approved, without buttons: nothing is left to click.
 */
export function approvalOutcomeMessage(result: AppliedResult): Message {
  const { record: r, outcome } = result;
  const changed = (outcome?.applied.length ?? 0) > 0;
  const [icon, lead]: ['ok' | 'error' | 'warning' | 'info', string] = result.dryRun
    ? ['info', `Approved; dry run, nothing was applied: ${r.summary}`]
    : outcome?.ok
      ? ['ok', `Approved and applied: ${r.summary}`]
      : changed
        ? ['warning', `Approved, but applied only partly: ${result.message}`]
        : ['error', `Approved, but not applied: ${result.reason ?? result.message}`];
  const approvedBy = r.approvals.flatMap((a, i) => [...(i ? [t(', ')] : []), ...user(a.userId)]);
  return noticeMessage(icon, lead, [
    [t('Requested by '), ...user(r.requester.userId), t('; approved by '), ...approvedBy],
  ]);
}

/**
 * The line put on top of the report a change answered: "Fixed: set-eviction-policy by @a, approved by @b
 * at 10:42 UTC, verified ✓" (✗ when the re-run checks still find it; left out when they did not run).
 */
export function fixedLine(result: AppliedResult, verified: boolean | undefined): Inline {
  const r = result.record;
  const partly = !result.outcome?.ok;
  const approvedBy = r.approvals.flatMap((a, i) => [...(i ? [t(', ')] : []), ...user(a.userId)]);
  return [
    { icon: partly ? 'warning' : 'ok' },
    t(partly ? ' Partly applied: ' : ' Fixed: ', { bold: true }),
    t(r.action, { code: true }),
    t(' by '),
    ...user(r.requester.userId),
    ...(approvedBy.length ? [t(', approved by '), ...approvedBy] : []),
    t(` at ${hhmm(r.consumed?.at ?? r.finished?.at ?? r.createdAt)}`),
    ...(verified === undefined ? [] : [t(`, verified ${verified ? '✓' : '✗'}`)]),
  ];
}

/** The report with `line` on top (replacing an earlier such line). */
export function markedReport(report: Message, line: Inline): Message {
  const blocks = report.blocks.filter((b) => !(b.kind === 'context' && b.id === 'fixed'));
  return { ...report, blocks: [{ kind: 'context', id: 'fixed', items: [line] }, ...blocks] };
}

/** After a revert: the one line, each value restored (or not), and who reverted (and who approved the revert). */
export function revertedMessage(
  reverted: { outcome: ApplyOutcome; message: string },
  by: string,
  approvals: readonly { userId: string }[] = [],
): Message {
  const approvedBy = approvals.flatMap((a, i) => [...(i ? [t(', ')] : []), ...user(a.userId)]);
  return noticeMessage(reverted.outcome.ok ? 'ok' : 'error', reverted.message, [
    ...outcomeLines(reverted.outcome),
    [t('Reverted by '), ...user(by), ...(approvedBy.length ? [t('; approved by '), ...approvedBy] : [])],
  ]);
}

/** The approval message of a revert request once approved: what the revert did, without buttons. */
export function revertApprovalOutcomeMessage(
  record: PendingAction,
  reverted: { outcome: ApplyOutcome; message: string },
): Message {
  const lead = reverted.outcome.ok
    ? `Approved and reverted: ${reverted.message}`
    : `Approved, but the revert failed: ${reverted.message}`;
  const approvedBy = record.approvals.flatMap((a, i) => [...(i ? [t(', ')] : []), ...user(a.userId)]);
  return noticeMessage(reverted.outcome.ok ? 'ok' : 'error', lead, [
    [t('Requested by '), ...user(record.requester.userId), t('; approved by '), ...approvedBy],
  ]);
}

/** `<@U…>` (a person) and `<#C…>` (a channel), as the policy and the pending records write them in their texts. */
const REFERENCE = /<@([UW][A-Z0-9]+)>|<#([CG][A-Z0-9]+)>/g;

/**
 * A text of ours with its people and channels as mention spans (each front end links them). Text spans
 * are literal (renderers escape them), so left as text `<@U1>` would reach Slack as `&lt;@U1&gt;`.
 */
export function referencing(text: string): { inline: Inline; plain: string } {
  const inline: Span[] = [];
  let last = 0;
  for (const m of text.matchAll(REFERENCE)) {
    if (m.index > last) inline.push(t(text.slice(last, m.index)));
    inline.push(m[1] ? { mentionUser: m[1] } : { mentionChannel: m[2] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < text.length) inline.push(t(text.slice(last)));
  return {
    inline,
    plain: text.replace(REFERENCE, (_all, user?: string, channel?: string) => (user ? `@${user}` : `#${channel}`)),
  };
}

/** A one-line answer (a refusal, a rejection, a revert). */
export function noticeMessage(
  icon: 'warning' | 'ok' | 'error' | 'info',
  text: string,
  lines: readonly Inline[] = [],
): Message {
  const { inline, plain } = referencing(text);
  return {
    text: plain,
    summary: inline,
    blocks: [
      { kind: 'section', id: 'notice', text: [{ icon }, t(' '), ...inline] },
      ...lines.map((l, i): Block => ({ kind: 'section', id: `line:${i}`, text: l })),
    ],
  };
}
