import type { ClusterWritePort } from '../../core/ports/cluster-write.js';
import type { AuditInput, AuditPullRequest } from '../audit.js';
import type { TrackedPullRequest } from './tracked-pull-requests.js';

/** What an opened request is, as the audit names it. */
export type AuditablePullRequest = Pick<TrackedPullRequest, 'provider' | 'repo' | 'number' | 'url' | 'commitSha'>;

/**
 * The `pullRequest` field of an audit entry, spread into the apply's entry once the fix's request is open,
 * so `/session-ttl audit` shows its link, commit and state.
 *
 * @example
 * await audit.record({ ...job.audit, event: 'apply', ...pullRequestAuditField(opened), result, dryRun });
 */
export function pullRequestAuditField(
  pr: AuditablePullRequest,
  state: AuditPullRequest['state'] = 'open',
  commitSha: string = pr.commitSha,
): Pick<AuditInput, 'pullRequest'> {
  return { pullRequest: { provider: pr.provider, repo: pr.repo, number: pr.number, url: pr.url, commitSha, state } };
}

/**
 * What to keep to offer the rollout restart after the merge (enable-sliding-window): the Deployment and its
 * pod template fingerprint now, when the request is opened. Undefined when the Deployment is not there.
 *
 * @example
 * const restart = await restartToWatch(ctx.cluster, { deployment: names.appDeployment, namespace: names.namespace, target: 'app' });
 * await tracked.track({ ..., ...(restart ? { restart } : {}) });
 */
export async function restartToWatch(
  cluster: Pick<ClusterWritePort, 'readDeployment'>,
  d: { deployment: string; namespace: string; target: 'app' | 'redis' },
): Promise<NonNullable<TrackedPullRequest['restart']> | undefined> {
  const view = await cluster.readDeployment(d.deployment);
  return view ? { ...d, templateFingerprint: view.templateFingerprint } : undefined;
}
