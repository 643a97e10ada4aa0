import type { FindingRef } from '../finding-ref.js';
import type { GitHostPort } from '../../core/ports/git-host.js';
import { fixBranchName, openFixPullRequest } from './open-pull-request.js';
import { manifestChanges } from './pull-request-plan.js';
import { renderFixPullRequestText } from './pull-request-text.js';
import { revertFixPullRequest, type RevertPullRequestResult } from './revert-pull-request.js';
import type { GitPullRequestPlan, ManifestEdit, OpenedPullRequest } from './pull-request-schema.js';
import type { TrackedPullRequest } from './tracked-pull-requests.js';

/** The Deployment whose pod template the follower compares after the merge. */
export type WatchedRestart = NonNullable<TrackedPullRequest['restart']>;

/** What the apply did about the plan's pull request. */
export type PullRequestStep =
  | {
      kind: 'opened';
      pullRequest: OpenedPullRequest;
      rebased: boolean;
      resumed: boolean;
      /** enable-sliding-window: the Deployment to offer a restart of after the merge, as it is now. */
      restart?: WatchedRestart;
    }
  | { kind: 'already-set'; message: string }
  | { kind: 'failed'; error: string; repo: string };

/** Who asked for the fix and who approved it, for the pull request's text. */
export interface PullRequestFacts {
  env: string;
  action: string;
  /** The pending record's id: the branch is named after it, so a re-run finds its own branch. */
  requestId: string;
  requester: string;
  approvers: readonly string[];
  /** The live change made with it, in one line. */
  liveChange?: string;
  /** The finding the fix answers, with its evidence lines. */
  finding?: FindingRef;
  /** The chat thread where it was requested and approved. */
  threadUrl?: string;
}

/** `maxmemory-policy volatile-lru in redis-session-config`. */
export function describeEdits(edits: readonly ManifestEdit[]): string {
  const what = edits.map((e) => (e.kind === 'data-key' ? `${e.key}: ${e.value}` : `${e.directive} ${e.value}`));
  return `${what.join(', ')} in ${edits[0]?.configMap ?? 'the ConfigMap'}`;
}

/** Whether two plans open the same pull request (where and what; not the base they read, which may move). */
export function samePullRequest(a: GitPullRequestPlan | undefined, b: GitPullRequestPlan | undefined): boolean {
  const target = (p: GitPullRequestPlan | undefined) =>
    p && JSON.stringify([p.provider, p.repo, p.baseBranch, p.path, p.edits]);
  return target(a) === target(b);
}

/**
 * Opens the plan's pull request after the live changes: on the base as previewed, or re-applied on a base
 * that moved (the values there still those previewed). Never throws: a refusal (403, a conflict) is the
 * step's `failed` with the provider's words, and the live change stays applied and audited.
 */
export async function openPlannedPullRequest(
  git: GitHostPort | Error | undefined,
  plan: GitPullRequestPlan,
  facts: PullRequestFacts,
): Promise<PullRequestStep> {
  if (!git || git instanceof Error)
    return { kind: 'failed', error: git?.message ?? 'no Git host is configured', repo: plan.repo };
  const text = renderFixPullRequestText({
    env: facts.env,
    action: facts.action,
    change: describeEdits(plan.edits),
    ...(facts.finding ? { finding: facts.finding } : {}),
    evidence: facts.finding?.evidence ?? [],
    requester: facts.requester,
    approvers: facts.approvers,
    ...(facts.liveChange ? { liveChange: facts.liveChange } : {}),
    ...(facts.threadUrl ? { threadUrl: facts.threadUrl } : {}),
  });
  try {
    const r = await openFixPullRequest({
      git,
      baseBranch: plan.baseBranch,
      path: plan.path,
      changes: manifestChanges(plan.edits),
      branch: fixBranchName(facts.action, facts.requestId),
      ...text,
      preview: { baseSha: plan.baseSha, before: plan.before },
    });
    if (r.kind === 'already-set') return { kind: 'already-set', message: r.message };
    const pullRequest: OpenedPullRequest = {
      ...plan,
      baseSha: r.baseSha,
      diff: r.diff,
      number: r.number,
      url: r.url,
      branch: r.branch,
      commitSha: r.commitSha,
    };
    return { kind: 'opened', pullRequest, rebased: r.rebased, resumed: r.resumed };
  } catch (err) {
    return { kind: 'failed', error: err instanceof Error ? err.message : String(err), repo: plan.repo };
  }
}

/** The thread's line about the pull request. */
export function pullRequestLine(step: PullRequestStep): string {
  switch (step.kind) {
    case 'opened': {
      const pr = step.pullRequest;
      const how = step.rebased ? ' (the base moved since the preview: the edit was applied to the new base)' : '';
      return `Opened pull request #${pr.number} (${pr.url}) to ${pr.repo}${how}: once it is merged, ${pr.owner} keeps the change.`;
    }
    case 'already-set':
      return step.message;
    case 'failed':
      return (
        `The pull request to ${step.repo} could not be opened: ${step.error} The live change is applied (and ` +
        'audited) but lasts only until Redis restarts: make the same edit in Git.'
      );
  }
}

/**
 * What a revert did about the fix's pull request: closed it, opened the reverting one (`reverting`, to follow
 * like the fix's own), or found nothing to do.
 */
export type PullRequestRevertStep =
  { ok: true; message: string; reverting?: OpenedPullRequest } | { ok: false; error: string };

/** The reverting request as opened: the fix's target, each edit back to its value before the fix. */
function revertingRequest(
  fix: OpenedPullRequest,
  opened: Extract<RevertPullRequestResult, { kind: 'reverting' }>['pullRequest'],
): OpenedPullRequest {
  return {
    ...fix,
    edits: fix.edits.map((e, n) => ({ ...e, value: fix.before[n] ?? '' })),
    before: fix.edits.map((e) => e.value),
    baseSha: opened.baseSha,
    diff: opened.diff,
    number: opened.number,
    url: opened.url,
    branch: opened.branch,
    commitSha: opened.commitSha,
  };
}

/**
 * The Git half of a revert: an open fix request is closed (its branch deleted), a merged one gets the
 * reverting request, a closed one needs nothing. Never throws; the live values are restored either way.
 */
export async function revertPlannedPullRequest(
  git: GitHostPort | Error | undefined,
  pr: OpenedPullRequest,
  facts: Omit<PullRequestFacts, 'liveChange'>,
): Promise<PullRequestRevertStep> {
  if (!git || git instanceof Error) return { ok: false, error: git?.message ?? 'no Git host is configured' };
  const text = renderFixPullRequestText({
    env: facts.env,
    action: facts.action,
    change: describeEdits(pr.edits),
    evidence: [`Reverts ${pr.url}`],
    requester: facts.requester,
    approvers: facts.approvers,
    revert: true,
  });
  try {
    const r = await revertFixPullRequest({
      git,
      baseBranch: pr.baseBranch,
      path: pr.path,
      changes: manifestChanges(pr.edits),
      number: pr.number,
      before: pr.before,
      branch: `${fixBranchName(facts.action, facts.requestId)}-revert`,
      ...text,
    });
    if (r.kind === 'reverting') return { ok: true, message: r.message, reverting: revertingRequest(pr, r.pullRequest) };
    return { ok: true, message: r.message };
  } catch (err) {
    return {
      ok: false,
      error: `${pr.url} was not reverted in Git: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
