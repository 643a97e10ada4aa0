import { GitHostError, type PullRequestState } from '../../core/ports/git-host.js';
import { openFixPullRequest, type FixPullRequestResult, type GitopsTarget } from './open-pull-request.js';

export interface RevertPullRequestInput extends GitopsTarget {
  /** The fix's request. */
  number: number;
  /** Each change's value before the fix, in order (null: absent, which an edit of the line cannot restore). */
  before: readonly (string | null)[];
  /** Branch, title and body of the reverting request (used only when the fix was merged). */
  branch: string;
  title: string;
  body: string;
}

export type RevertPullRequestResult =
  | { kind: 'closed'; number: number; url: string; message: string }
  | { kind: 'nothing'; message: string }
  | { kind: 'reverting'; pullRequest: Extract<FixPullRequestResult, { kind: 'opened' }>; message: string };

/**
 * Undoes a fix's request in Git: an open one is closed (and its branch deleted), a merged one gets a reverting
 * request that edits the value back, a closed one needs nothing.
 */
export async function revertFixPullRequest(i: RevertPullRequestInput): Promise<RevertPullRequestResult> {
  const pr = await i.git.pullRequestState(i.number);
  if (pr.state === 'closed')
    return { kind: 'nothing', message: `${describePullRequest(pr)}: nothing in Git to revert.` };
  if (pr.state === 'open') {
    await i.git.closePullRequest(i.number);
    const deleted = await i.git.deleteBranch(pr.head).then(
      () => '',
      () => ` Its branch ${pr.head} remains.`,
    );
    return { kind: 'closed', number: pr.number, url: pr.url, message: `Closed ${pr.url} unmerged.${deleted}` };
  }
  const back = i.changes.map((c, n) => ({ ...c, value: i.before[n] ?? '' }));
  if (i.before.length !== i.changes.length || i.before.some((v) => v === null))
    throw new GitHostError(
      `${i.path}: the fix added a line that was absent before; remove it in a pull request by hand (${pr.url} was merged).`,
      'conflict',
    );
  const result = await openFixPullRequest({ ...i, changes: back });
  if (result.kind === 'already-set') return { kind: 'nothing', message: result.message };
  return { kind: 'reverting', pullRequest: result, message: `Opened ${result.url} to revert ${pr.url}.` };
}

/** One line about a request's state, for the thread and the audit. */
export function describePullRequest(pr: PullRequestState): string {
  if (pr.state === 'merged')
    return `${pr.url} was merged${pr.mergeCommitSha ? ` (${pr.mergeCommitSha.slice(0, 12)})` : ''}`;
  if (pr.state === 'closed') return `${pr.url} was closed without merging`;
  return `${pr.url} is open`;
}
