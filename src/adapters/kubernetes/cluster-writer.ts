import {
  ApiException,
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { ClusterError } from '../../core/ports/cluster.js';
import type { ClusterWritePort, DeploymentView } from '../../core/ports/cluster-write.js';
import { parseObject } from './kube-objects.js';
import { networkCode, statusMessage } from './api-errors.js';

const configMapSchema = z.object({
  metadata: z.object({ name: z.string(), resourceVersion: z.string().min(1) }),
  data: z.record(z.string(), z.string()).nullish(),
});

const deploymentSchema = z.object({
  metadata: z.object({
    name: z.string(),
    resourceVersion: z.string().min(1),
    generation: z.number().nullish(),
  }),
  spec: z.object({
    replicas: z.number().nullish(),
    paused: z.boolean().nullish(),
    template: z.object({
      spec: z
        .object({
          containers: z.array(
            z.object({
              name: z.string(),
              resources: z.object({ limits: z.record(z.string(), z.unknown()).nullish() }).nullish(),
            }),
          ),
        })
        .nullish(),
    }),
  }),
  status: z
    .object({
      observedGeneration: z.number().nullish(),
      replicas: z.number().nullish(),
      updatedReplicas: z.number().nullish(),
      availableReplicas: z.number().nullish(),
      conditions: z
        .array(
          z.object({
            type: z.string(),
            status: z.string(),
            reason: z.string().nullish(),
            message: z.string().nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

type Deployment = z.infer<typeof deploymentSchema>;

const accessReviewSchema = z.object({ status: z.object({ allowed: z.boolean() }).nullish() });

/** What a request was trying to do, for messages: `patch configmaps "redis-session-config"`. */
interface Attempt {
  verb: 'get' | 'patch' | 'create';
  resource: 'configmaps' | 'deployments' | 'selfsubjectaccessreviews';
  name?: string;
}

export interface ClusterWriterOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Per-request timeout; a request that takes longer is `unreachable` (default 5000). */
  requestTimeoutMs?: number;
  /** Time between two reads of a Deployment while following a rollout (default 2000). */
  pollIntervalMs?: number;
  /** The clock of `waitForRollout`'s deadline (default `Date.now`). */
  now?: () => number;
  /** Waits between polls (default a timer); tests pass one that advances their clock. */
  sleep?: (ms: number) => Promise<void>;
}

/** Rollout progress like `kubectl rollout status`. */
export function rolloutState(d: Deployment): { status: 'complete' | 'progressing' | 'failed'; detail: string } {
  const name = d.metadata.name;
  const want = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  const generation = d.metadata.generation ?? 0;
  if ((s.observedGeneration ?? -1) < generation) {
    return { status: 'progressing', detail: `waiting for the Deployment "${name}" spec update to be observed` };
  }
  const stuck = (s.conditions ?? []).find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stuck)
    return {
      status: 'failed',
      detail: `Deployment "${name}" exceeded its progress deadline${stuck.message ? `: ${stuck.message}` : ''}`,
    };
  const updated = s.updatedReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if (updated < want) return { status: 'progressing', detail: `${updated} of ${want} new replicas have been updated` };
  if ((s.replicas ?? 0) > updated)
    return { status: 'progressing', detail: `${(s.replicas ?? 0) - updated} old replicas are pending termination` };
  if (available < want)
    return { status: 'progressing', detail: `${available} of ${want} updated replicas are available` };
  return {
    status: 'complete',
    detail: `Deployment "${name}" successfully rolled out (${want}/${want} replicas updated and available)`,
  };
}

/**
 * The Kubernetes writes of the remediation actions over `@kubernetes/client-node`: JSON merge patches
 * (explicit Content-Type; the API answers 415 to the client's default) carrying the resourceVersion read
 * for the preview, so a change made since fails with ClusterError `conflict` instead of being overwritten.
 * 403 `forbidden` names the verb and object and points to manifests/bot/rbac.yaml; 404 `not_found`;
 * 5xx `server_error`; network failures and timeouts `unreachable`.
 *
 * @example
 * const writer = createClusterWriter({ kubeConfig: loadKubeConfig({ context: 'prod' }), namespace: 'langgraph-agent' });
 * const cm = await writer.readConfigMap('redis-session-config');
 * await writer.patchConfigMapKey('redis-session-config', 'redis.conf', newText, cm!.resourceVersion);
 */
export function createClusterWriter(opts: ClusterWriterOptions): ClusterWritePort {
  const { kubeConfig, namespace } = opts;
  const timeoutMs = opts.requestTimeoutMs ?? 5000;
  const pollMs = opts.pollIntervalMs ?? 2000;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const authz = kubeConfig.makeApiClient(AuthorizationV1Api);
  const server = kubeConfig.getCurrentCluster()?.server ?? 'the Kubernetes API';
  const token = kubeConfig.getCurrentUser()?.token;
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  const scrub = (text: string): string => (token ? text.split(token).join('<redacted>') : text);
  const describe = (a: Attempt) => `${a.verb} ${a.resource}${a.name ? ` "${a.name}"` : ''} in namespace "${namespace}"`;

  function toClusterError(err: unknown, a: Attempt): ClusterError {
    if (err instanceof ClusterError) return err;
    if (err instanceof ApiException) {
      const status = err.code;
      const said = statusMessage(err.body) ? `: ${statusMessage(err.body)}` : '';
      if (status === 401 || status === 403) {
        return new ClusterError(
          scrub(
            `Kubernetes API denied ${describe(a)} (${status === 401 ? '401 Unauthorized' : '403 Forbidden'}${said}). Grant the bot's service account "${a.verb}" on ${a.resource}${a.name ? ` "${a.name}"` : ''} in namespace "${namespace}" (see manifests/bot/rbac.yaml). Nothing was changed by this request.`,
          ),
          'forbidden',
          status,
        );
      }
      if (status === 409) {
        return new ClusterError(
          scrub(
            `${a.resource} "${a.name ?? ''}" in namespace "${namespace}" changed since the preview was made (409 Conflict); it was not changed. Review the action again and approve the new preview.`,
          ),
          'conflict',
          status,
        );
      }
      if (status === 404) {
        return new ClusterError(
          scrub(
            `${a.resource} "${a.name ?? ''}" does not exist in namespace "${namespace}" (404) when trying to ${describe(a)}.`,
          ),
          'not_found',
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
    if (code)
      return new ClusterError(
        `Kubernetes API at ${server} is unreachable (${code}) when trying to ${describe(a)}.`,
        'unreachable',
      );
    const msg = err instanceof Error ? err.message : String(err);
    return new ClusterError(
      scrub(
        `Kubernetes API at ${server} sent a reply to ${describe(a)} that the bot cannot read: ${msg.split('\n')[0]}`,
      ),
      'invalid',
    );
  }

  async function call<T>(a: Attempt, send: () => Promise<T>): Promise<T> {
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
      return await Promise.race([send(), timeout]);
    } catch (err) {
      throw toClusterError(err, a);
    } finally {
      clearTimeout(timer);
    }
  }

  async function getDeployment(name: string): Promise<Deployment | undefined> {
    try {
      const raw = await call({ verb: 'get', resource: 'deployments', name }, () =>
        apps.readNamespacedDeployment({ name, namespace }),
      );
      return parseObject(deploymentSchema, raw, `Deployment "${name}" from ${server}`);
    } catch (err) {
      if (err instanceof ClusterError && err.kind === 'not_found') return undefined;
      throw err;
    }
  }

  return {
    async readConfigMap(name) {
      let raw: unknown;
      try {
        raw = await call({ verb: 'get', resource: 'configmaps', name }, () =>
          core.readNamespacedConfigMap({ name, namespace }),
        );
      } catch (err) {
        if (err instanceof ClusterError && err.kind === 'not_found') return undefined;
        throw err;
      }
      const cm = parseObject(configMapSchema, raw, `ConfigMap "${name}" from ${server}`);
      return { data: { ...(cm.data ?? {}) }, resourceVersion: cm.metadata.resourceVersion };
    },

    async patchConfigMapKey(name, key, value, resourceVersion) {
      const body = { metadata: { resourceVersion }, data: { [key]: value } };
      const raw = await call({ verb: 'patch', resource: 'configmaps', name }, () =>
        core.patchNamespacedConfigMap({ name, namespace, body }, mergePatch),
      );
      return {
        resourceVersion: parseObject(configMapSchema, raw, `Patched ConfigMap "${name}" from ${server}`).metadata
          .resourceVersion,
      };
    },

    async readDeployment(name): Promise<DeploymentView | undefined> {
      const d = await getDeployment(name);
      if (!d) return undefined;
      const memory = d.spec.template.spec?.containers[0]?.resources?.limits?.['memory'];
      return {
        name: d.metadata.name,
        paused: d.spec.paused === true,
        replicas: d.spec.replicas ?? 1,
        resourceVersion: d.metadata.resourceVersion,
        ...(memory !== undefined && memory !== null
          ? { memoryLimit: typeof memory === 'string' ? memory : JSON.stringify(memory) }
          : {}),
      };
    },

    async restartDeployment(name, resourceVersion, at) {
      const body = {
        metadata: { resourceVersion },
        spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at.toISOString() } } } },
      };
      await call({ verb: 'patch', resource: 'deployments', name }, () =>
        apps.patchNamespacedDeployment({ name, namespace, body }, mergePatch),
      );
    },

    async waitForRollout(name, deadlineMs) {
      let last: string;
      for (;;) {
        const d = await getDeployment(name);
        if (!d)
          return { status: 'failed', detail: `Deployment "${name}" no longer exists in namespace "${namespace}"` };
        const state = rolloutState(d);
        if (state.status !== 'progressing') return { status: state.status, detail: state.detail };
        last = state.detail;
        const left = deadlineMs - now();
        if (left <= 0) {
          return {
            status: 'timed_out',
            detail: `rollout of Deployment "${name}" not complete at the deadline: ${last}`,
          };
        }
        await sleep(Math.min(pollMs, left));
      }
    },

    async canI(verb, resource, name) {
      const body = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: { namespace, verb, group: resource === 'deployments' ? 'apps' : '', resource, name },
        },
      };
      const raw = await call({ verb: 'create', resource: 'selfsubjectaccessreviews' }, () =>
        authz.createSelfSubjectAccessReview({ body }),
      );
      return parseObject(accessReviewSchema, raw, `SelfSubjectAccessReview from ${server}`).status?.allowed === true;
    },
  };
}
