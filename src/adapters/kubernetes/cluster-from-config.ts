import { isManifestSource, type KubernetesConfig } from '../../config/config.js';
import type { ClusterPort } from '../../core/ports/cluster.js';
import { createKubernetesCluster, loadKubeConfig } from './kubernetes-cluster.js';
import { createManifestCluster } from './manifest-cluster.js';

/**
 * The cluster source of one environment: a directory of manifests when `kubernetes.manifests` is set,
 * else the live API through the kubeconfig (or the in-cluster service account).
 * Throws ClusterError('invalid') when the kubeconfig or its context cannot be loaded.
 */
export function clusterFromConfig(k: KubernetesConfig, opts: { now?: () => number } = {}): ClusterPort {
  if (isManifestSource(k)) return createManifestCluster({ dir: k.manifests, namespace: k.namespace });
  return createKubernetesCluster({
    kubeConfig: loadKubeConfig({
      ...(k.kubeconfig ? { kubeconfig: k.kubeconfig } : {}),
      ...(k.context ? { context: k.context } : {}),
    }),
    namespace: k.namespace,
    requestTimeoutMs: k.requestTimeoutMs,
    ...(opts.now ? { now: opts.now } : {}),
  });
}
