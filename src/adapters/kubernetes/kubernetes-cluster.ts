// The live cluster over `@kubernetes/client-node` (114 MB and most of a second to load): reached only
// through the dynamic import() in live-cluster.ts, once an environment with a live cluster is used.
import { CoreV1Api, VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { ClusterError, type ClusterPort, type ConfigMapView, type PodView } from '../../core/ports/cluster.js';
import { readError } from './kube-errors.js';
import { configMapSchema, parseObject, podListSchema, podSchema, toConfigMapView, toPodView } from './kube-objects.js';
import { sendWithin, type KubeAction, type KubeTarget } from './kube-requests.js';

export { loadKubeConfig } from './load-kubeconfig.js';

export interface KubernetesClusterOptions {
  kubeConfig: KubeConfig;
  /** Namespace of the app and its Redis. */
  namespace: string;
  /** Per-request timeout; a request that takes longer is `unreachable` (default 5000). */
  requestTimeoutMs?: number;
  now?: () => number;
}

/** How long a `Date` header seen on a reply stands in for `serverTime()` before /version is asked. */
const SERVER_DATE_FRESH_MS = 10_000;

/** The API server's URL for messages, without credentials. */
function serverOf(kc: KubeConfig): string {
  const raw = kc.getCurrentCluster()?.server ?? 'unknown';
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return raw;
  }
}

/** Whether a read failed with 404: the object does not exist. */
const notFound = (err: unknown) => err instanceof ClusterError && err.status === 404;

/**
 * A ClusterPort over the real `@kubernetes/client-node` CoreV1Api. Errors become ClusterError:
 * 401/403 `forbidden` (with the RBAC to grant), 5xx `server_error`, network failures and timeouts
 * `unreachable`, replies that do not have the expected shape `invalid` (see kube-errors.ts).
 *
 * @example
 * const cluster = createKubernetesCluster({ kubeConfig: loadKubeConfig({ context: 'prod' }), namespace: 'langgraph-agent' });
 * const cm = await cluster.readConfigMap('langgraph-agent-config');
 */
export class KubernetesCluster implements ClusterPort {
  readonly description: string;
  private readonly target: KubeTarget & { timeoutMs: number };
  private readonly now: () => number;
  private readonly core: CoreV1Api;
  private readonly version: VersionApi;
  /** The server's clock from the last reply's Date header, and when (by our clock) it was seen. */
  private lastDate: { server: number; seenAt: number } | undefined;

  constructor(opts: KubernetesClusterOptions) {
    const { kubeConfig, namespace } = opts;
    const server = serverOf(kubeConfig);
    this.target = {
      server,
      namespace,
      token: kubeConfig.getCurrentUser()?.token,
      timeoutMs: opts.requestTimeoutMs ?? 5000,
    };
    this.now = opts.now ?? Date.now;
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.version = kubeConfig.makeApiClient(VersionApi);
    const who = kubeConfig.getCurrentContext() || kubeConfig.getCurrentUser()?.name || 'in-cluster';
    this.description = `context ${who} (${server}), namespace ${namespace}`;
  }

  async readConfigMap(name: string): Promise<ConfigMapView | undefined> {
    const { namespace, server } = this.target;
    let raw: unknown;
    try {
      raw = await this.call({ verb: 'get', resource: 'configmaps', name }, () =>
        this.core.readNamespacedConfigMapWithHttpInfo({ name, namespace }),
      );
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
    return toConfigMapView(parseObject(configMapSchema, raw, `ConfigMap "${name}" from ${server}`), namespace);
  }

  async listPods(selector: string): Promise<PodView[]> {
    const { namespace, server } = this.target;
    const raw = await this.call({ verb: 'list', resource: 'pods' }, () =>
      this.core.listNamespacedPodWithHttpInfo({ namespace, labelSelector: selector }),
    );
    return parseObject(podListSchema, raw, `Pod list (${selector}) from ${server}`).items.map(toPodView);
  }

  async podLogs(podName: string, tailLines: number): Promise<string> {
    const { namespace, server } = this.target;
    let rawPod: unknown;
    try {
      rawPod = await this.call({ verb: 'get', resource: 'pods', name: podName }, () =>
        this.core.readNamespacedPodWithHttpInfo({ name: podName, namespace }),
      );
    } catch (err) {
      if (notFound(err)) return '';
      throw err;
    }
    const pod = parseObject(podSchema, rawPod, `Pod "${podName}" from ${server}`);
    const parts: string[] = [];
    for (const { name: container } of pod.spec.containers) {
      const text = await this.call({ verb: 'get', resource: 'pods/log', name: podName }, () =>
        this.core.readNamespacedPodLogWithHttpInfo({ name: podName, namespace, container, tailLines }),
      );
      if (typeof text !== 'string') {
        const message = `Log of pod "${podName}" container "${container}" from ${server} is not text`;
        throw new ClusterError(message, 'invalid');
      }
      if (text) parts.push(text.endsWith('\n') ? text : `${text}\n`);
    }
    return parts.join('');
  }

  async serverTime(): Promise<number | undefined> {
    const fresh = this.lastDate && this.now() - this.lastDate.seenAt < SERVER_DATE_FRESH_MS ? this.lastDate : undefined;
    if (fresh) return fresh.server + (this.now() - fresh.seenAt);
    this.lastDate = undefined;
    return this.call({ verb: 'get', resource: 'version' }, () => this.version.getCodeWithHttpInfo()).then(
      () => this.lastDate?.server,
    );
  }

  /** Runs one request with the timeout, records the server's Date header and types failures. */
  private async call<T>(a: KubeAction, send: () => Promise<{ data: T; headers: Record<string, string> }>): Promise<T> {
    const reply = await sendWithin(this.target, a, send, (err, action) => readError(err, action, this.target));
    const date = Date.parse(reply.headers['date'] ?? '');
    if (!Number.isNaN(date)) this.lastDate = { server: date, seenAt: this.now() };
    return reply.data;
  }
}

/** The live adapter has every optional read (logs, the server's clock). */
export function createKubernetesCluster(
  opts: KubernetesClusterOptions,
): ClusterPort & Required<Pick<ClusterPort, 'podLogs' | 'serverTime'>> {
  return new KubernetesCluster(opts);
}
