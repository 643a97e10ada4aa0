import type { Block, Inline, Message } from '../core/message.js';
import { describeOwner } from './gitops/ownership.js';
import { pullRequestLine } from './gitops/pull-request-step.js';
import type { ApplyOutcome, Change, Plan } from './types.js';

/**
 * One change in words: the exact command or object, before and after. `done` describes a change that
 * was made (its `before` is then the previous value, no longer the current one).
 */
export function describeChange(
  c: Change,
  tense: 'planned' | 'done' = 'planned',
): { line: string; diff?: readonly string[] } {
  switch (c.kind) {
    case 'redis-config':
      return {
        line: `CONFIG SET ${c.parameter} ${c.after} on ${c.node}${c.role ? ` (${c.role})` : ''} (${tense === 'done' ? 'was' : 'now'} ${c.before || '""'})`,
      };
    case 'configmap':
      if (tense === 'done') {
        const set = c.diff.filter((l) => l.startsWith('+')).map((l) => l.slice(1));
        return {
          line: `ConfigMap ${c.namespace}/${c.name} key ${c.key}${set.length ? `: ${set.join('; ')}` : ''}`,
          diff: c.diff,
        };
      }
      return {
        line: `ConfigMap ${c.namespace}/${c.name} key ${c.key} (resourceVersion ${c.resourceVersion})`,
        diff: c.diff,
      };
    case 'rollout-restart':
      return {
        line: `Rollout restart of Deployment ${c.namespace}/${c.deployment} (kubectl.kubernetes.io/restartedAt)`,
      };
  }
}

const list = (title: string, items: readonly string[], id: string): Block[] =>
  items.length
    ? [
        {
          kind: 'section',
          id,
          text: [{ text: title, bold: true }, { text: `\n${items.map((i) => `• ${i}`).join('\n')}` }],
        },
      ]
    : [];

/** The edit that belongs in Git when a GitOps controller manages the ConfigMap; its diff unless a change shows it. */
function durableBlocks(plan: Plan): Block[] {
  const d = plan.durable;
  if (!d) return [];
  const { namespace, name, key } = d.object;
  const line =
    `ConfigMap ${namespace}/${name} key ${key}, managed by ${describeOwner(d.owner)} (${d.owner.evidence}): ` +
    (d.directPatch ? 'also patched directly (the next sync undoes that)' : 'not patched by the bot');
  const pr = plan.pullRequest;
  if (pr)
    return [
      { kind: 'section', id: 'durable', text: [{ text: 'For Git: ', bold: true }, { text: line }] },
      {
        kind: 'section',
        id: 'pull-request',
        text: [
          { text: 'Pull request: ', bold: true },
          {
            text: `to ${pr.repo} (${pr.provider}), base ${pr.baseBranch} at ${pr.baseSha.slice(0, 12)}, file ${pr.path}`,
          },
        ],
      },
      { kind: 'preformatted', id: 'pull-request-diff', lines: pr.diff.replace(/\n$/, '').split('\n') },
    ];
  return [
    { kind: 'section', id: 'durable', text: [{ text: 'For Git: ', bold: true }, { text: line }] },
    ...(d.directPatch || !d.diff.length ? [] : [{ kind: 'preformatted' as const, id: 'durable-diff', lines: d.diff }]),
  ];
}

/**
 * The preview of an action, the same in the Slack modal and in `session-ttl fix --dry-run`: the exact
 * changes, what it fixes and what it does not, the risks. Pure.
 */
export function planMessage(plan: Plan, opts: { title: string; dryRun?: boolean }): Message {
  const blocks: Block[] = [
    { kind: 'header', text: `Preview: ${opts.title} in ${plan.env}`, tone: plan.noop ? 'neutral' : 'warning' },
    { kind: 'section', id: 'summary', text: [{ text: plan.summary }] },
  ];
  if (plan.noop)
    blocks.push({
      kind: 'section',
      id: 'noop',
      text: plan.durable
        ? [{ icon: 'warning' }, { text: ' Nothing for the bot to change: what is left belongs in Git (see below).' }]
        : [{ icon: 'ok' }, { text: ' Nothing to change: the environment already has these values.' }],
    });
  plan.changes.forEach((c, i) => {
    const d = describeChange(c);
    blocks.push({
      kind: 'section',
      id: `change:${i}`,
      text: [
        { text: 'Change: ', bold: true },
        { text: d.line, code: c.kind === 'redis-config' },
      ],
    });
    if (d.diff?.length) blocks.push({ kind: 'preformatted', id: `diff:${i}`, lines: d.diff });
  });
  blocks.push(
    ...durableBlocks(plan),
    ...list('Fixes', plan.fixes, 'fixes'),
    ...list('Does not fix', plan.doesNotFix, 'does-not-fix'),
    ...list('Risks', plan.risks, 'risks'),
  );
  if (plan.warnings.length) {
    blocks.push({
      kind: 'section',
      id: 'warnings',
      text: [
        { icon: 'warning' },
        { text: ' Warnings', bold: true },
        { text: `\n${plan.warnings.map((w) => `• ${w}`).join('\n')}` },
      ],
    });
  }
  if (opts.dryRun)
    blocks.push({ kind: 'context', id: 'dry-run', items: [[{ text: 'Dry run: nothing will be changed.' }]] });
  return { text: `Preview of ${plan.action} in ${plan.env}: ${plan.summary}`, blocks };
}

/** What an apply or revert did, change by change. */
export function outcomeLines(outcome: ApplyOutcome): Inline[] {
  const lines: Inline[] = [];
  if (outcome.summary)
    lines.push([{ icon: outcome.ok ? 'ok' : 'warning' }, { text: ` ${outcome.summary}`, bold: true }]);
  lines.push(...outcome.applied.map((c): Inline => [{ icon: 'ok' }, { text: ` ${describeChange(c, 'done').line}` }]));
  for (const f of outcome.failures ?? (outcome.failed ? [outcome.failed] : [])) {
    lines.push([{ icon: 'error' }, { text: ` Not changed: ${describeChange(f.change).line}: ${f.error}` }]);
  }
  for (const n of outcome.notAttempted ?? [])
    lines.push([{ icon: 'warning' }, { text: ` Not attempted: ${describeChange(n.change).line}: ${n.why}` }]);
  const pr = outcome.pullRequest;
  if (pr) lines.push([{ icon: pr.kind === 'failed' ? 'warning' : 'ok' }, { text: ` ${pullRequestLine(pr)}` }]);
  const git = outcome.gitRevert;
  if (git) lines.push([{ icon: git.ok ? 'ok' : 'warning' }, { text: ` ${git.ok ? git.message : git.error}` }]);
  for (const r of outcome.rollouts ?? []) {
    lines.push([
      { icon: r.status === 'complete' ? 'ok' : 'warning' },
      { text: ` Rollout of ${r.deployment}: ${r.status} (${r.detail})` },
    ]);
  }
  return lines;
}
