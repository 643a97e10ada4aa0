import { ClusterError } from '../../core/ports/cluster.js';
import type { RolloutRestartChange } from '../changes.js';
import type { ClusterWritePort } from '../types.js';
import type { ObjectNames } from './object-names.js';
import { pausedError } from './run-changes.js';

/** Reads a Deployment for a restart: refuses a paused or missing one. Only reads. */
export async function planRestart(
  cluster: ClusterWritePort,
  names: ObjectNames,
  deployment: string,
): Promise<RolloutRestartChange> {
  const d = await cluster.readDeployment(deployment);
  if (!d)
    throw new ClusterError(
      `Deployment "${deployment}" was not found in namespace "${names.namespace}".`,
      'not_found',
      404,
    );
  if (d.paused) throw pausedError(deployment, names.namespace);
  return { kind: 'rollout-restart', namespace: names.namespace, deployment, resourceVersion: d.resourceVersion };
}

/** The rollout deadline param shared by the actions that restart. */
export const rolloutTimeoutMs = (p: { timeoutSeconds: number }) => p.timeoutSeconds * 1000;
