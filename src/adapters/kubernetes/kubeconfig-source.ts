import { existsSync } from 'node:fs';
import { ClusterError } from '../../core/ports/cluster.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Where the credentials of a live cluster come from: a kubeconfig file (and context), else in-cluster. */
export interface KubeConfigSource {
  kubeconfig?: string;
  context?: string;
}

/**
 * The checks that need no Kubernetes client: the kubeconfig file exists, or (without one) the process
 * runs in a cluster with a service account token. Throws ClusterError('invalid') saying what to set.
 * Run before `@kubernetes/client-node` is loaded, so a missing file fails at once, where it is configured.
 */
export function checkKubeConfigSource(cfg: KubeConfigSource): void {
  if (cfg.kubeconfig) {
    if (!existsSync(cfg.kubeconfig)) {
      throw new ClusterError(
        `kubeconfig file ${cfg.kubeconfig} does not exist; fix kubernetes.kubeconfig in the config file (or remove it to use the in-cluster service account).`,
        'invalid',
      );
    }
  } else if (!process.env.KUBERNETES_SERVICE_HOST || !existsSync(SERVICE_ACCOUNT_TOKEN)) {
    throw new ClusterError(
      'No kubeconfig is configured and the bot is not running inside a cluster (no KUBERNETES_SERVICE_HOST / ' +
        'service account token); set kubernetes.kubeconfig, or kubernetes.manifests for an offline source.',
      'invalid',
    );
  }
}
