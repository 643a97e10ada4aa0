import type { ActionContext, Capability } from '../types.js';
import { allCapable, kubeCapability, redisCapability } from './capability.js';
import { objectNames } from './object-names.js';

/** An action that sets Redis parameters needs CONFIG SET, and patch on the Redis ConfigMap when there is a cluster. */
export function redisSettingCapability(ctx: ActionContext): Promise<Capability> {
  const names = objectNames(ctx.env);
  return allCapable(
    redisCapability(ctx),
    ...(names && ctx.cluster
      ? [kubeCapability(ctx, [{ verb: 'patch', resource: 'configmaps', name: names.redisConfigMap }])]
      : []),
  );
}
