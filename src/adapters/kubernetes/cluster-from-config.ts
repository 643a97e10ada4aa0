import { isManifestSource, type KubernetesConfig } from '../../config/config.js';
import type { ClusterPort } from '../../core/ports/cluster.js';
import { createLiveCluster } from './live-cluster.js';
import { createManifestCluster } from './manifest-cluster.js';

/**
 * The cluster source of one environment: a directory of manifests when `kubernetes.manifests` is set,
 * else the live API through the kubeconfig (or the in-cluster service account), whose client is loaded
 * on the first request (live-cluster.ts).
 * Throws ClusterError('invalid') when the kubeconfig file is missing (or, without one, the process is not
 * in a cluster); a kubeconfig that cannot be read fails each request with ClusterError('invalid').
 */
export function clusterFromConfig(k: KubernetesConfig, opts: { now?: () => number } = {}): ClusterPort {
  if (isManifestSource(k)) return createManifestCluster({ dir: k.manifests, namespace: k.namespace });
  return createLiveCluster({
    ...(k.kubeconfig ? { kubeconfig: k.kubeconfig } : {}),
    ...(k.context ? { context: k.context } : {}),
    namespace: k.namespace,
    requestTimeoutMs: k.requestTimeoutMs,
    ...(opts.now ? { now: opts.now } : {}),
  });
}
