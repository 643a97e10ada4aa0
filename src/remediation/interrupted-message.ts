import { t, type Block, type Inline, type Message } from '../core/message.js';
import type { Finished } from './flow/finish.js';
import type { InterruptedApply } from './flow/reconcile.js';
import { describeChange, outcomeLines } from './plan-message.js';

const FOUND_WORDS = { changed: 'Changed', unchanged: 'Not changed', other: 'Unknown' } as const;

/**
 * Posted in the request's thread when a reconciler took over an apply whose replica died: what it found
 * change by change, and Finish (make the missing changes) and Revert (put back what changed), each a
 * command decided from the clicking user at click time.
 */
export function interruptedMessage(i: InterruptedApply): Message {
  const lines = i.found.map((f): Inline => [
    { icon: f.state === 'changed' ? 'ok' : f.state === 'unchanged' ? 'info' : 'warning' },
    t(` ${FOUND_WORDS[f.state]}: ${describeChange(f.change).line}${f.detail ? ` (${f.detail})` : ''}`),
  ]);
  const actions = [
    ...(i.canFinish ? [{ command: 'finish', label: 'Finish', ref: i.journal.id, style: 'primary' as const }] : []),
    ...(i.revertId ? [{ command: 'revert', label: 'Revert', ref: i.revertId, style: 'danger' as const }] : []),
  ];
  const blocks: Block[] = [
    { kind: 'section', id: 'interrupted', text: [{ icon: 'warning' }, t(` ${i.message}`, { bold: true })] },
    ...lines.map((l, n): Block => ({ kind: 'section', id: `found:${n}`, text: l })),
    {
      kind: 'context',
      id: 'who',
      items: [
        [
          t('Applied by '),
          { mentionUser: i.journal.actor.userId },
          t('; the replica applying it stopped (its lease expired), so another one read the environment.'),
        ],
      ],
    },
    ...(actions.length ? [{ kind: 'actions' as const, id: 'interrupted-actions', actions }] : []),
  ];
  return { text: i.message, blocks };
}

/** After Finish: the one line, every change now made, who finished it, and Revert. */
export function finishedMessage(f: Finished, by: string): Message {
  const blocks: Block[] = [
    {
      kind: 'section',
      id: 'finished',
      text: [{ icon: f.outcome.ok ? 'ok' : 'error' }, t(` ${f.message}`, { bold: true })],
    },
    ...outcomeLines(f.outcome).map((l, n): Block => ({ kind: 'section', id: `change:${n}`, text: l })),
    { kind: 'context', id: 'who', items: [[t('Finished by '), { mentionUser: by }]] },
  ];
  if (f.revertId)
    blocks.push({
      kind: 'actions',
      id: 'revert-actions',
      actions: [{ command: 'revert', label: 'Revert', ref: f.revertId, style: 'danger' }],
    });
  return { text: f.message, blocks };
}
