import type { OpenedPullRequest } from './pull-request-schema.js';
import {
  trackPullRequest,
  type TrackedPullRequest,
  type TrackedPullRequestsDeps,
  type TrackInput,
} from './tracked-pull-requests.js';

/** `Argo CD application "sessions"` -> argocd; a Flux Kustomization or HelmRelease -> flux; else not said. */
export function syncedByOf(owner: string): TrackInput['syncedBy'] {
  if (/^argo\s*cd/i.test(owner)) return 'argocd';
  if (/^flux/i.test(owner)) return 'flux';
  return undefined;
}

/** What the apply knows besides the opened request: the request's record, its thread and people. */
export type OpenedContext = Pick<
  TrackInput,
  'env' | 'action' | 'pendingId' | 'thread' | 'requester' | 'approvers' | 'restart'
> & { kind?: TrackInput['kind'] };

/**
 * Follows a fix request the apply just opened (`openPlannedPullRequest`'s `opened.pullRequest`): the bot says
 * in `thread` when it is merged or closed, and audits it.
 *
 * @example
 * if (step.kind === 'opened') await trackOpenedPullRequest({ store, now }, step.pullRequest, { env, action, pendingId, thread, requester, approvers });
 */
export function trackOpenedPullRequest(
  deps: TrackedPullRequestsDeps,
  opened: OpenedPullRequest,
  context: OpenedContext,
): Promise<TrackedPullRequest> {
  const syncedBy = syncedByOf(opened.owner);
  return trackPullRequest(deps, {
    kind: 'fix',
    ...context,
    provider: opened.provider,
    repo: opened.repo,
    number: opened.number,
    url: opened.url,
    commitSha: opened.commitSha,
    head: opened.branch,
    base: opened.baseBranch,
    ...(syncedBy ? { syncedBy } : {}),
  });
}
