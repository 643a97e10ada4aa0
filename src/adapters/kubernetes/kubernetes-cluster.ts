import { existsSync } from 'node:fs';
import { ApiException, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { z } from 'zod';
import { networkCode, statusMessage } from './api-errors.js';
import {
  ClusterError,
  type ClusterPort,
  type ConfigMapView,
  type ContainerView,
  type EnvVarView,
  type PodView,
} from '../../core/ports/cluster.js';

// ---------------------------------------------------------------------------------------------
// Reply shapes. Only the fields the checks rely on are validated; everything else passes through.
// The live client hands over Dates (its ObjectSerializer converts them), YAML manifests strings.
// ---------------------------------------------------------------------------------------------

const timestamp = z.union([z.date(), z.string()]).transform((v, ctx) => {
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a timestamp: ${String(v)}` });
    return z.NEVER;
  }
  return ms;
});

const metadataSchema = z.object({
  name: z.string({ error: 'expected metadata.name' }).min(1),
  namespace: z.string().nullish(),
  labels: z.record(z.string(), z.string()).nullish(),
  creationTimestamp: timestamp.nullish(),
  managedFields: z.array(z.object({ time: timestamp.nullish() })).nullish(),
});

const envVarSchema = z.object({
  name: z.string(),
  value: z.string().nullish(),
  valueFrom: z
    .object({ configMapKeyRef: z.object({ name: z.string().nullish(), key: z.string() }).nullish() })
    .nullish(),
});

/** A container spec as far as the checks read it. */
export const containerSpecSchema = z.object({
  name: z.string(),
  env: z.array(envVarSchema).nullish(),
  envFrom: z.array(z.object({ configMapRef: z.object({ name: z.string().nullish() }).nullish() })).nullish(),
});

/** A pod spec (or a workload's pod template spec) as far as the checks read it. */
export const podSpecSchema = z.object({ containers: z.array(containerSpecSchema) });

export const configMapSchema = z.object({
  metadata: metadataSchema,
  data: z.record(z.string(), z.string({ error: 'ConfigMap data values must be strings (quote numbers)' })).nullish(),
});

export const podSchema = z.object({
  metadata: metadataSchema,
  spec: podSpecSchema,
  status: z
    .object({
      startTime: timestamp.nullish(),
      containerStatuses: z
        .array(
          z.object({
            name: z.string(),
            state: z.object({ running: z.object({ startedAt: timestamp.nullish() }).nullish() }).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

const podListSchema = z.object({ items: z.array(podSchema) });

export type ObjectMetadata = z.infer<typeof metadataSchema>;

/** "items.0.spec.containers: expected array" lines, for ClusterError('invalid') messages. */
export function describeReplyIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('; ');
}

/** Parses `raw` with `schema`, or throws ClusterError('invalid') naming `what` (e.g. `ConfigMap "x" from the API`). */
export function parseObject<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ClusterError(`${what} is malformed: ${describeReplyIssues(parsed.error)}`, 'invalid');
  return parsed.data;
}

/** When an object last changed: the newest managedFields time, else its creation time (ms). */
export function lastChangedAt(meta: ObjectMetadata): number | undefined {
  const times = (meta.managedFields ?? []).map((f) => f.time).filter((t): t is number => typeof t === 'number');
  if (times.length) return Math.max(...times);
  return meta.creationTimestamp ?? undefined;
}

export function toConfigMapView(cm: z.infer<typeof configMapSchema>, fallbackNamespace: string): ConfigMapView {
  return {
    name: cm.metadata.name,
    namespace: cm.metadata.namespace ?? fallbackNamespace,
    data: { ...(cm.data ?? {}) },
    lastChangedAt: lastChangedAt(cm.metadata),
  };
}

function toEnvVarView(e: z.infer<typeof envVarSchema>): EnvVarView {
  const ref = e.valueFrom?.configMapKeyRef;
  return {
    name: e.name,
    ...(e.value != null ? { value: e.value } : {}),
    ...(ref ? { configMapKeyRef: { name: ref.name ?? '', key: ref.key } } : {}),
  };
}

/** Containers of a pod spec; `startedAt` per container name when known. */
export function toContainerViews(
  spec: z.infer<typeof podSpecSchema>,
  startedAt: (name: string) => number | undefined = () => undefined,
): ContainerView[] {
  return spec.containers.map((c) => {
    const started = startedAt(c.name);
    return {
      name: c.name,
      env: (c.env ?? []).map(toEnvVarView),
      envFromConfigMaps: (c.envFrom ?? [])
        .map((f) => f.configMapRef?.name)
        .filter((n): n is string => typeof n === 'string' && n.length > 0),
      ...(started !== undefined ? { startedAt: started } : {}),
    };
  });
}

export function toPodView(pod: z.infer<typeof podSchema>): PodView {
  const running = new Map<string, number>();
  for (const s of pod.status?.containerStatuses ?? []) {
    const t = s.state?.running?.startedAt;
    if (typeof t === 'number') running.set(s.name, t);
  }
  const startTime = pod.status?.startTime;
  return {
    name: pod.metadata.name,
    ...(typeof startTime === 'number' ? { startedAt: startTime } : {}),
    containers: toContainerViews(pod.spec, (name) => running.get(name)),
  };
}

// ---------------------------------------------------------------------------------------------
// Loading a kubeconfig
// ---------------------------------------------------------------------------------------------

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads credentials: the kubeconfig file when given, else the in-cluster service account.
 * Throws ClusterError('invalid') with a message that says what to set when neither works.
 */
export function loadKubeConfig(cfg: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig();
  if (cfg.kubeconfig) {
    if (!existsSync(cfg.kubeconfig)) {
      throw new ClusterError(
        `kubeconfig file ${cfg.kubeconfig} does not exist; fix kubernetes.kubeconfig in the config file (or remove it to use the in-cluster service account).`,
        'invalid',
      );
    }
    try {
      kc.loadFromFile(cfg.kubeconfig);
    } catch (e) {
      throw new ClusterError(
        `kubeconfig file ${cfg.kubeconfig} could not be read: ${(e as Error).message.split('\n')[0]}`,
        'invalid',
      );
    }
  } else {
    if (!process.env.KUBERNETES_SERVICE_HOST || !existsSync(SERVICE_ACCOUNT_TOKEN)) {
      throw new ClusterError(
        'No kubeconfig is configured and the bot is not running inside a cluster (no KUBERNETES_SERVICE_HOST / service account token); set kubernetes.kubeconfig, or kubernetes.manifests for an offline source.',
        'invalid',
      );
    }
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

  const describe = (a: Action) =>
    `${a.verb} ${a.resource}${a.name ? ` "${a.name}"` : ''} in namespace "${namespace}"`;

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
      scrub(`Kubernetes API at ${server} sent a reply to ${describe(a)} that the bot cannot read: ${msg.split('\n')[0]}`),
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
