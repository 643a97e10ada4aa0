import { REMEDIATION_DEFAULTS, type GitOpsPolicy } from '../../config/remediation.js';
import { ClusterError } from '../../core/ports/cluster.js';
import type { ClusterWritePort, ObjectLabels } from '../../core/ports/cluster-write.js';
import { argoInstanceCandidate, gitopsOwner, INSTANCE_LABEL, type GitOpsOwner } from './ownership.js';

/** What the preview learnt about who manages an object: the owner, and why it could not tell when it could not. */
export interface OwnershipCheck {
  owner?: GitOpsOwner;
  /** E.g. the Argo CD Application could not be read (403): said in the preview, which still goes on. */
  warnings: string[];
}

/** The policy an action context carries, or the defaults (no direct patch, Applications in `argocd`). */
export const gitopsPolicyOf = (ctx: { gitops?: GitOpsPolicy }): GitOpsPolicy =>
  ctx.gitops ?? REMEDIATION_DEFAULTS.gitops;

/**
 * Who manages `object` from Git (see `gitopsOwner`), reading the Argo CD Application its
 * `app.kubernetes.io/instance` label names when nothing else decides. A failed read of the Application
 * (403: the bot may not read Applications; 5xx; unreachable) is a warning, not a failure: the object is
 * then not known to be Argo CD's. Only reads.
 */
export async function checkOwnership(
  cluster: ClusterWritePort,
  object: { kind: string; name: string } & ObjectLabels,
  policy: GitOpsPolicy,
): Promise<OwnershipCheck> {
  const app = argoInstanceCandidate(object);
  if (!app) {
    const owner = gitopsOwner(object);
    return { ...(owner ? { owner } : {}), warnings: [] };
  }
  const namespace = app.namespace ?? policy.argocdNamespace;
  try {
    const exists = await cluster.argoApplicationExists(namespace, app.name);
    const owner = gitopsOwner(object, { exists, namespace });
    return { ...(owner ? { owner } : {}), warnings: [] };
  } catch (err) {
    if (!(err instanceof ClusterError)) throw err;
    const grant = `grant the bot "get" on applications.argoproj.io in namespace "${namespace}" to have it checked`;
    const why =
      err.kind === 'forbidden'
        ? `the bot may not read Argo CD Applications (HTTP ${err.status ?? 403}): ${grant}`
        : err.message;
    return {
      warnings: [
        `${object.kind} "${object.name}" carries the label ${INSTANCE_LABEL}=${object.labels[INSTANCE_LABEL] ?? ''}, ` +
          `but whether Argo CD application "${app.name}" (namespace "${namespace}") manages it could not be ` +
          `checked (${why}). If it does, a direct patch is undone at the next sync.`,
      ],
    };
  }
}
