// The live cluster over `@kubernetes/client-node` (114 MB and most of a second to load): reached only
// through the dynamic import() in live-cluster.ts, once an environment with a live cluster is used.
import { ApiException, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { networkCode, statusMessage } from './api-errors.js';
import { ClusterError, type ClusterPort } from '../../core/ports/cluster.js';
import { checkKubeConfigSource, type KubeConfigSource } from './kubeconfig-source.js';
import { configMapSchema, parseObject, podListSchema, podSchema, toConfigMapView, toPodView } from './kube-objects.js';

// ---------------------------------------------------------------------------------------------
// Loading a kubeconfig
// ---------------------------------------------------------------------------------------------

/**
 * Loads credentials: the kubeconfig file when given, else the in-cluster service account.
 * Throws ClusterError('invalid') with a message that says what to set when neither works.
 */
export function loadKubeConfig(cfg: KubeConfigSource): KubeConfig {
  checkKubeConfigSource(cfg);
  const kc = new KubeConfig();
  if (cfg.kubeconfig) {
    try {
      kc.loadFromFile(cfg.kubeconfig);
    } catch (e) {
      throw new ClusterError(
        `kubeconfig file ${cfg.kubeconfig} could not be read: ${(e as Error).message.split('\n')[0]}`,
        'invalid',
      );
    }
  } else {
    kc.loadFromCluster();
  }
  if (cfg.context) {
    if (!kc.getContextObject(cfg.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new ClusterError(
        `kubeconfig context "${cfg.context}" not found${cfg.kubeconfig ? ` in ${cfg.kubeconfig}` : ''}; known contexts: ${known.join(', ') || '(none)'}.`,
        'invalid',
      );
    }
    kc.setCurrentContext(cfg.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new ClusterError(
      `kubeconfig${cfg.kubeconfig ? ` ${cfg.kubeconfig}` : ''} has no current context with a cluster; set kubernetes.context.`,
      'invalid',
    );
  }
  return kc;
}

// ---------------------------------------------------------------------------------------------
// The live adapter
// ---------------------------------------------------------------------------------------------

export interface KubernetesClusterOptions {
  kubeConfig: KubeConfig;
  /** Namespace of the app and its Redis. */
  namespace: string;
  /** Per-request timeout; a request that takes longer is `unreachable` (default 5000). */
  requestTimeoutMs?: number;
  now?: () => number;
}

/** What a request was trying to do, for messages: `get configmaps "x"`, `list pods`. */
interface Action {
  verb: 'get' | 'list';
  resource: string;
  name?: string;
}

/** How long a `Date` header seen on a reply stands in for `serverTime()` before /version is asked. */
const SERVER_DATE_FRESH_MS = 10_000;

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

/**
 * A ClusterPort over the real `@kubernetes/client-node` CoreV1Api. Errors become ClusterError:
 * 401/403 `forbidden` (with the RBAC to grant), 5xx `server_error`, network failures and timeouts
 * `unreachable`, replies that do not have the expected shape `invalid`.
 *
 * @example
 * const cluster = createKubernetesCluster({ kubeConfig: loadKubeConfig({ context: 'prod' }), namespace: 'langgraph-agent' });
 * const cm = await cluster.readConfigMap('langgraph-agent-config');
 */
export function createKubernetesCluster(
  opts: KubernetesClusterOptions,
): ClusterPort & Required<Pick<ClusterPort, 'podLogs' | 'serverTime'>> {
  const { kubeConfig, namespace } = opts;
  const timeoutMs = opts.requestTimeoutMs ?? 5000;
  const now = opts.now ?? Date.now;
  const server = serverOf(kubeConfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const version = kubeConfig.makeApiClient(VersionApi);
  const token = kubeConfig.getCurrentUser()?.token;
  let lastDate: { server: number; seenAt: number } | undefined;

  /** Belt and braces: no message leaves this adapter with the bearer token in it. */
  const scrub = (text: string): string => (token ? text.split(token).join('<redacted>') : text);

  const describe = (a: Action) => `${a.verb} ${a.resource}${a.name ? ` "${a.name}"` : ''} in namespace "${namespace}"`;

  function toClusterError(err: unknown, a: Action): ClusterError {
    if (err instanceof ClusterError) return err;
    if (err instanceof ApiException) {
      const status = err.code;
      const apiMsg = statusMessage(err.body);
      const said = apiMsg ? `: ${apiMsg}` : '';
      if (status === 401) {
        return new ClusterError(
          scrub(
            `Kubernetes API at ${server} rejected the bot's credentials (401 Unauthorized) when trying to ${describe(a)}${said}. Check the kubeconfig user or the service account token.`,
          ),
          'forbidden',
          status,
        );
      }
      if (status === 403) {
        const verbs = a.resource === 'pods/log' ? 'get' : a.verb;
        return new ClusterError(
          scrub(
            `Kubernetes API denied ${describe(a)} (403 Forbidden${said}). Grant the bot's service account "${verbs}" on ${a.resource} in namespace "${namespace}" with a Role and RoleBinding (see manifests/bot/rbac.yaml).`,
          ),
          'forbidden',
          status,
        );
      }
      if (status >= 500 || status === 429) {
        return new ClusterError(
          scrub(`Kubernetes API at ${server} failed to ${describe(a)} (HTTP ${status}${said}).`),
          'server_error',
          status,
        );
      }
      return new ClusterError(
        scrub(`Kubernetes API at ${server} answered HTTP ${status} to ${describe(a)}${said}.`),
        'invalid',
        status,
      );
    }
    const code = networkCode(err);
    if (code) {
      return new ClusterError(
        `Kubernetes API at ${server} is unreachable (${code}) when trying to ${describe(a)}.`,
        'unreachable',
      );
    }
    const msg = err instanceof Error ? err.message : String(err);
    return new ClusterError(
      scrub(
        `Kubernetes API at ${server} sent a reply to ${describe(a)} that the bot cannot read: ${msg.split('\n')[0]}`,
      ),
      'invalid',
    );
  }

  /**
   * Runs one request with a timeout, records the server's Date header and maps failures. The generated
   * client takes no AbortSignal, so a timed-out request is abandoned (its socket closes on its own).
   */
  async function call<T>(a: Action, send: () => Promise<{ data: T; headers: Record<string, string> }>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ClusterError(
              `Kubernetes API at ${server} did not answer within ${timeoutMs} ms when trying to ${describe(a)}.`,
              'unreachable',
            ),
          ),
        timeoutMs,
      );
    });
    try {
      const reply = await Promise.race([send(), timeout]);
      const date = Date.parse(reply.headers['date'] ?? '');
      if (!Number.isNaN(date)) lastDate = { server: date, seenAt: now() };
      return reply.data;
    } catch (err) {
      throw toClusterError(err, a);
    } finally {
      clearTimeout(timer);
    }
  }

  const user = kubeConfig.getCurrentUser()?.name;
  const context = kubeConfig.getCurrentContext();

  return {
    description: `context ${context || user || 'in-cluster'} (${server}), namespace ${namespace}`,

    async readConfigMap(name) {
      const a: Action = { verb: 'get', resource: 'configmaps', name };
      let raw: unknown;
      try {
        raw = await call(a, () => core.readNamespacedConfigMapWithHttpInfo({ name, namespace }));
      } catch (err) {
        if (err instanceof ClusterError && err.status === 404) return undefined;
        throw err;
      }
      return toConfigMapView(parseObject(configMapSchema, raw, `ConfigMap "${name}" from ${server}`), namespace);
    },

    async listPods(selector) {
      const a: Action = { verb: 'list', resource: 'pods' };
      const raw = await call(a, () => core.listNamespacedPodWithHttpInfo({ namespace, labelSelector: selector }));
      return parseObject(podListSchema, raw, `Pod list (${selector}) from ${server}`).items.map(toPodView);
    },

    async podLogs(podName, tailLines) {
      const read: Action = { verb: 'get', resource: 'pods', name: podName };
      let rawPod: unknown;
      try {
        rawPod = await call(read, () => core.readNamespacedPodWithHttpInfo({ name: podName, namespace }));
      } catch (err) {
        if (err instanceof ClusterError && err.status === 404) return '';
        throw err;
      }
      const pod = parseObject(podSchema, rawPod, `Pod "${podName}" from ${server}`);
      const parts: string[] = [];
      for (const c of pod.spec.containers) {
        const a: Action = { verb: 'get', resource: 'pods/log', name: podName };
        const text = await call(a, () =>
          core.readNamespacedPodLogWithHttpInfo({ name: podName, namespace, container: c.name, tailLines }),
        );
        if (typeof text !== 'string') {
          throw new ClusterError(`Log of pod "${podName}" container "${c.name}" from ${server} is not text`, 'invalid');
        }
        if (text) parts.push(text.endsWith('\n') ? text : `${text}\n`);
      }
      return parts.join('');
    },

    async serverTime() {
      if (lastDate && now() - lastDate.seenAt < SERVER_DATE_FRESH_MS) {
        return lastDate.server + (now() - lastDate.seenAt);
      }
      lastDate = undefined;
      await call({ verb: 'get', resource: 'version' }, () => version.getCodeWithHttpInfo());
      // `call` set it from the reply's Date header (TypeScript cannot see that assignment).
      const seen = lastDate as { server: number } | undefined;
      return seen?.server;
    },
  };
}
