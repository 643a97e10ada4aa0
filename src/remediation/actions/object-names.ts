import type { EnvironmentConfig } from '../../config/config.js';
import { UserError } from '../../core/errors.js';

/** The Kubernetes names the actions touch in an environment, from its `kubernetes` config. */
export interface ObjectNames {
  namespace: string;
  appConfigMap: string;
  redisConfigMap: string;
  appDeployment: string;
  redisDeployment: string;
}

/** `app=redis-session,tier=cache` → `redis-session`: the Deployment is named after its `app` label. */
export function deploymentFromSelector(selector: string): string | undefined {
  const terms = selector.split(',').map((t) => /^\s*([^!=\s]+)\s*==?\s*(\S+)\s*$/.exec(t));
  const app = terms.find((m) => m?.[1] === 'app') ?? terms.find((m) => m !== null);
  return app?.[2];
}

/** The names, or undefined when the environment has no Kubernetes config. */
export function objectNames(env: EnvironmentConfig): ObjectNames | undefined {
  const k = env.kubernetes;
  if (!k) return undefined;
  const need = (selector: string, field: string) => {
    const name = deploymentFromSelector(selector);
    if (!name) {
      throw new UserError(
        `kubernetes.${field} "${selector}" of environment "${env.name}" names no Deployment (expected app=<deployment name>).`,
        'config_error',
      );
    }
    return name;
  };
  return {
    namespace: k.namespace,
    appConfigMap: k.appConfigMap,
    redisConfigMap: k.redisConfigMap,
    appDeployment: need(k.appSelector, 'appSelector'),
    redisDeployment: need(k.redisSelector, 'redisSelector'),
  };
}
