import type { ConfigMapRead } from '../../core/ports/cluster-write.js';
import type { ConfigMapChange } from '../changes.js';
import type { ActionContext } from '../types.js';
import type { GitOpsDurable } from './durable-edit.js';
import { checkOwnership, gitopsPolicyOf } from './ownership-check.js';
import { describeOwner, type GitOpsOwner } from './ownership.js';

/** A planned ConfigMap change once the GitOps policy had its say. */
export interface GovernedChange {
  /** The direct patch, when it stays in the plan's changes (not GitOps-managed, or allowDirectPatch). */
  change?: ConfigMapChange;
  /** The edit that belongs in Git, when a GitOps controller manages the ConfigMap. */
  durable?: GitOpsDurable;
  warnings: string[];
}

/** `ConfigMap "x" is managed by Argo CD application "y" (annotation …): a direct patch is undone at the next sync.` */
export function undoneAtSync(name: string, owner: GitOpsOwner): string {
  return (
    `ConfigMap "${name}" is managed by ${describeOwner(owner)} (${owner.evidence}): ` +
    'a direct patch is undone at the next sync.'
  );
}

/**
 * Decides `change` of `cm` under `remediation.gitops`: when Argo CD or Flux manages the ConfigMap, the
 * direct patch is left out (the default; `withoutPatch` says what that means for this action) or kept
 * with a warning that the next sync undoes it (`allowDirectPatch: true`); either way the edit is returned
 * as the plan's `durable` step. Only reads (the Argo CD Application, when a label needs it).
 */
export async function governConfigMapChange(
  ctx: ActionContext,
  change: ConfigMapChange,
  cm: ConfigMapRead,
  withoutPatch: string,
): Promise<GovernedChange> {
  const policy = gitopsPolicyOf(ctx);
  if (!ctx.cluster) return { change, warnings: [] };
  const { owner, warnings } = await checkOwnership(
    ctx.cluster,
    { kind: 'ConfigMap', name: change.name, labels: cm.labels, annotations: cm.annotations },
    policy,
  );
  if (!owner) return { change, warnings };
  const durable: GitOpsDurable = {
    kind: 'gitops',
    owner,
    object: { kind: 'ConfigMap', namespace: change.namespace, name: change.name, key: change.key },
    before: change.before,
    after: change.after,
    diff: change.diff,
    directPatch: policy.allowDirectPatch,
  };
  const undone = undoneAtSync(change.name, owner);
  if (policy.allowDirectPatch)
    return {
      change,
      durable,
      warnings: [
        ...warnings,
        `${undone} remediation.gitops.allowDirectPatch is true, so the bot patches it anyway: make the same edit ` +
          `in Git (the ${change.key} diff above) before the next sync, or the sync puts the old value back.`,
      ],
    };
  return {
    durable,
    warnings: [
      ...warnings,
      `${undone} The bot does not patch it (remediation.gitops.allowDirectPatch is false): ${withoutPatch}`,
    ],
  };
}
