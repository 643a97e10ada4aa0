import { UserError } from '../../core/errors.js';
import type { ActionContext, ClusterWritePort } from '../types.js';
import { objectNames, type ObjectNames } from './object-names.js';

/** The cluster writer and the object names of an environment, or a UserError saying the action needs them. */
export function requireCluster(ctx: ActionContext): { cluster: ClusterWritePort; names: ObjectNames } {
  const names = objectNames(ctx.env);
  if (!names || !ctx.cluster) {
    throw new UserError(
      `Environment "${ctx.env.name}" has no live Kubernetes cluster configured (kubernetes.kubeconfig or in-cluster); this action needs one.`,
      'no_cluster',
    );
  }
  return { cluster: ctx.cluster, names };
}
