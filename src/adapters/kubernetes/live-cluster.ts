// The live-cluster ports, with `@kubernetes/client-node` loaded on their first request. The client takes
// ~114 MB and most of a second to import; `envs`, `help` and environments read from manifests never
// need it, and the bot must answer /healthz before anyone asks a live cluster anything.
import type { ClusterPort } from '../../core/ports/cluster.js';
import type { ClusterWritePort } from '../../core/ports/cluster-write.js';
import { checkKubeConfigSource, type KubeConfigSource } from './kubeconfig-source.js';

export interface LiveClusterOptions extends KubeConfigSource {
  namespace: string;
  requestTimeoutMs?: number;
  now?: () => number;
}

/** The live adapter has every optional read (logs, the server's clock). */
export type LiveClusterPort = ClusterPort & Required<Pick<ClusterPort, 'podLogs' | 'serverTime'>>;

/** One load per port: concurrent first requests share it; a failed load fails every request the same way. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

const credentials = (o: LiveClusterOptions): KubeConfigSource => ({
  ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}),
  ...(o.context ? { context: o.context } : {}),
});

/**
 * The ClusterPort of a live cluster (kubernetes-cluster.ts), built on its first request. A missing
 * kubeconfig file (or, without one, no in-cluster service account) throws ClusterError('invalid') here,
 * at once; a kubeconfig that cannot be parsed, or a context it lacks, fails each request with that error.
 * `description` names the context and server once the client is loaded (every check reads it after a
 * request); before that it names what the config says.
 */
export function createLiveCluster(opts: LiveClusterOptions): LiveClusterPort {
  checkKubeConfigSource(opts);
  let ready: LiveClusterPort | undefined;
  const load = once(async (): Promise<LiveClusterPort> => {
    const { createKubernetesCluster, loadKubeConfig } = await import('./kubernetes-cluster.js');
    ready = createKubernetesCluster({
      kubeConfig: loadKubeConfig(credentials(opts)),
      namespace: opts.namespace,
      ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    return ready;
  });
  const configured = `context ${opts.context ?? '(current)'} (${opts.kubeconfig ?? 'in-cluster service account'}), namespace ${opts.namespace}`;
  return {
    get description() {
      return ready?.description ?? configured;
    },
    readConfigMap: async (name) => (await load()).readConfigMap(name),
    listPods: async (selector) => (await load()).listPods(selector),
    podLogs: async (podName, tailLines) => (await load()).podLogs(podName, tailLines),
    serverTime: async () => (await load()).serverTime(),
  };
}

/** The remediation actions' writer of a live cluster (cluster-writer.ts), built on its first request. */
export function createLiveClusterWriter(opts: LiveClusterOptions): ClusterWritePort {
  checkKubeConfigSource(opts);
  const load = once(async () => {
    const [{ createClusterWriter }, { loadKubeConfig }] = await Promise.all([
      import('./cluster-writer.js'),
      import('./kubernetes-cluster.js'),
    ]);
    return createClusterWriter({
      kubeConfig: loadKubeConfig(credentials(opts)),
      namespace: opts.namespace,
      ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
  });
  return {
    readConfigMap: async (name) => (await load()).readConfigMap(name),
    patchConfigMapKey: async (name, key, value, resourceVersion) =>
      (await load()).patchConfigMapKey(name, key, value, resourceVersion),
    fenceConfigMap: async (name, resourceVersion) => (await load()).fenceConfigMap(name, resourceVersion),
    readDeployment: async (name) => (await load()).readDeployment(name),
    restartDeployment: async (name, resourceVersion, at) => (await load()).restartDeployment(name, resourceVersion, at),
    waitForRollout: async (name, deadlineMs) => (await load()).waitForRollout(name, deadlineMs),
    argoApplicationExists: async (namespace, name) => (await load()).argoApplicationExists(namespace, name),
    canI: async (verb, resource, name) => (await load()).canI(verb, resource, name),
  };
}
