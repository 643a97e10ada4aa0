import { t, type Block, type Inline, type Message, type Span } from '../core/message.js';
import type { PendingAction } from './pending.js';
import { outcomeLines } from './plan-message.js';
import type { AppliedResult } from './service.js';

const when = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const user = (id: string): Inline => [{ mentionUser: id }];

/** Posted in the report's thread when a request needs approval: who asked, what, and Approve / Reject. */
export function approvalRequestMessage(record: PendingAction, awaiting: number): Message {
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
      {
        kind: 'actions',
        id: 'approval-actions',
        actions: [
          { command: 'approve', label: 'Approve', ref: record.id, style: 'primary' },
          { command: 'reject', label: 'Reject', ref: record.id, style: 'danger' },
        ],
      },
    ],
  };
}

/** What happened after an apply: who requested, who approved, each change before and after, and Revert. */
export function appliedMessage(result: AppliedResult): Message {
  const r = result.record;
  const lines: Inline[] = [
    [t('Requested by '), ...user(r.requester.userId)],
    ...(r.approvals.length
      ? [[t('Approved by '), ...r.approvals.flatMap((a, i) => [...(i ? [t(', ')] : []), ...user(a.userId)])]]
      : []),
    ...(r.consumed ? [[t('Applied by '), ...user(r.consumed.userId), t(` at ${when(r.consumed.at)}`)]] : []),
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
