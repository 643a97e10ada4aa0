import { t, type Block, type Inline, type Message } from '../core/message.js';
import type { AuditPullRequest, StoredAuditEntry } from '../remediation/audit.js';
import type { Change } from '../remediation/changes.js';
import { referencing } from '../remediation/messages.js';

/** Change lines shown per entry; the rest are counted. */
const MAX_CHANGES = 8;
/** A value longer than this is cut (a ConfigMap key holds a whole file): the diff lines say what changed. */
const MAX_VALUE = 120;

const when = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const cut = (s: string) => (s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s);
const shown = (s: string) => (s === '' ? '""' : cut(s));

/** What a ConfigMap key went from and to: its changed lines when it has a diff (a file), else the values. */
function configMapValues(c: Extract<Change, { kind: 'configmap' }>): [string, string] {
  const removed = c.diff.filter((l) => l.startsWith('-') && !l.startsWith('---')).map((l) => l.slice(1));
  const added = c.diff.filter((l) => l.startsWith('+') && !l.startsWith('+++')).map((l) => l.slice(1));
  if (removed.length || added.length) return [removed.join('; ') || '(no line)', added.join('; ') || '(no line)'];
  return [c.before, c.after];
}

/**
 * One change as `what: before -> after`.
 *
 * @example
 * changeLine({ kind: 'redis-config', node: '10.0.0.5:6379', parameter: 'maxmemory-policy', before: 'allkeys-lru', after: 'volatile-lru' })
 * // 'maxmemory-policy on 10.0.0.5:6379: allkeys-lru -> volatile-lru'
 */
export function changeLine(c: Change): string {
  switch (c.kind) {
    case 'redis-config':
      return `${c.parameter} on ${c.node}${c.role ? ` (${c.role})` : ''}: ${shown(c.before)} -> ${shown(c.after)}`;
    case 'configmap': {
      const [before, after] = configMapValues(c);
      return `ConfigMap ${c.namespace}/${c.name} ${c.key}: ${shown(before)} -> ${shown(after)}`;
    }
    case 'rollout-restart':
      return `rollout restart of Deployment ${c.namespace}/${c.deployment}`;
  }
}

function changeLines(changes: readonly Change[] | undefined): string[] {
  if (!changes?.length) return [];
  const lines = changes.slice(0, MAX_CHANGES).map(changeLine);
  if (changes.length > MAX_CHANGES) lines.push(`…and ${changes.length - MAX_CHANGES} more change(s)`);
  return lines;
}

/**
 * The GitOps fix's request as one line: provider's name for it, link, state and commit.
 *
 * @example
 * const url = 'https://github.com/example/gitops/pull/7';
 * pullRequestLine({ provider: 'github', repo: 'example/gitops', number: 7, url, commitSha: 'abc…', state: 'merged' })
 * // [t('\n  pull request '), t('example/gitops#7', { link: 'https://…/pull/7' }), t(' merged, commit abc…')]
 */
export function pullRequestLine(pr: AuditPullRequest): Inline {
  const github = pr.provider === 'github';
  return [
    t(`\n  ${github ? 'pull request' : 'merge request'} `),
    t(`${pr.repo}${github ? '#' : '!'}${pr.number}`, { link: pr.url }),
    t(` ${pr.state}${pr.commitSha ? `, commit ${pr.commitSha}` : ''}`),
  ];
}

const mention = (userId: string): Inline => [{ mentionUser: userId }];

function joined(users: readonly string[]): Inline {
  return users.flatMap((u, i) => [...(i ? [t(', ')] : []), ...mention(u)]);
}

/** Who requested and who approved the request an entry belongs to, from the entries read (`context`). */
function people(e: StoredAuditEntry, context: readonly StoredAuditEntry[]): Inline {
  if (!e.pendingId || !['apply', 'failure', 'revert', 'pr_merged', 'pr_closed'].includes(e.event)) return [];
  const same = context.filter((c) => c.pendingId === e.pendingId && c.at <= e.at);
  const request = same.find((c) => c.event === 'request');
  const approvers = same
    .filter((c) => c.event === 'approval')
    .sort((a, b) => a.at - b.at)
    .map((c) => c.actor.userId);
  const requested: Inline = request
    ? [t('requested by '), ...mention(request.actor.userId)]
    : [t('requested by: not among the entries read')];
  const approved: Inline = approvers.length
    ? [t(', approved by '), ...joined([...new Set(approvers)])]
    : request
      ? [t(', no approval')]
      : [];
  return [t('\n  '), ...requested, ...approved];
}

function entryLine(e: StoredAuditEntry, context: readonly StoredAuditEntry[]): Inline {
  return [
    t(`${when(e.at)} `),
    t(e.event, { bold: true }),
    t(' '),
    ...(e.action ? [t(e.action, { code: true }), t(' ')] : []),
    t('by '),
    ...mention(e.actor.userId),
    ...(e.channelId ? [t(' in '), { mentionChannel: e.channelId }] : []),
    t(e.dryRun ? ' (dry run)' : ''),
    // A result names people and channels as <@U…> / <#C…> (a denial's why): links, not escaped text.
    ...(e.result ? [t(': '), ...referencing(e.result).inline] : []),
    ...changeLines(e.changes).map((l) => t(`\n  ${l}`)),
    ...(e.pullRequest ? pullRequestLine(e.pullRequest) : []),
    ...people(e, context),
  ];
}

/**
 * The audit of an environment, newest first: each entry's time, event, action, who, its result, each change
 * as before -> after (planned for a request, made for an apply or revert), and for an apply, failure or
 * revert who requested and who approved it (from `context`, the entries read, which reach further back).
 */
export function auditView(
  env: string,
  entries: readonly StoredAuditEntry[],
  context: readonly StoredAuditEntry[] = entries,
): Message {
  if (!entries.length)
    return {
      text: `No remediation audit entries for ${env} yet.`,
      blocks: [{ kind: 'section', text: [{ icon: 'info' }, t(` No remediation audit entries for ${env} yet.`)] }],
    };
  return {
    text: `Remediation audit of ${env}: ${entries.length} entries`,
    blocks: [
      { kind: 'header', text: `Remediation audit: ${env}` },
      ...entries.map((e, i): Block => ({
        kind: 'section',
        id: `audit:${i}`,
        text: entryLine(e, context),
        collapse: { tag: e.event },
      })),
    ],
    overflow: { id: 'audit:more', noun: 'older audit record', hint: [t(`ask for fewer, e.g. audit ${env} 10`)] },
  };
}
