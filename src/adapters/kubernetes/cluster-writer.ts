import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { ClusterError } from '../../core/ports/cluster.js';
import type { ClusterWritePort, ConfigMapRead, DeploymentView } from '../../core/ports/cluster-write.js';
import { deploymentSchema, rolloutState, toDeploymentView, type Deployment } from './deployment-rollout.js';
import { ARGOCD_API_ACCESS } from './api-access.js';
import { readError, writeError } from './kube-errors.js';
import { parseObject } from './kube-objects.js';
import { sendWithin, type KubeAction, type KubeTarget } from './kube-requests.js';

const configMapSchema = z.object({
  metadata: z.object({
    name: z.string(),
    resourceVersion: z.string().min(1),
    labels: z.record(z.string(), z.string()).nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
  }),
  data: z.record(z.string(), z.string()).nullish(),
});

/** What the bot reads of an Argo CD Application: that it is one, by that name. */
const argoApplicationSchema = z.object({ kind: z.literal('Application'), metadata: z.object({ name: z.string() }) });

const accessReviewSchema = z.object({ status: z.object({ allowed: z.boolean() }).nullish() });

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

/** The annotation a fence writes: when the bot made sure an earlier, timed-out PATCH can no longer land. */
export const FENCE_ANNOTATION = 'session-ttl-bot/fenced-at';

/** Whether a request failed with 404. */
const notFound = (err: unknown) => err instanceof ClusterError && err.kind === 'not_found';

/**
 * The Kubernetes writes of the remediation actions over `@kubernetes/client-node`: JSON merge patches
 * (explicit Content-Type; the API answers 415 to the client's default) carrying the resourceVersion read
 * for the preview, so a change made since fails with ClusterError `conflict` instead of being overwritten.
 * 403 `forbidden` names the verb and object and points to manifests/bot/rbac.yaml; 404 `not_found`;
 * 5xx `server_error`; network failures and timeouts `unreachable` (see kube-errors.ts).
 *
 * @example
 * const writer = createClusterWriter({ kubeConfig: loadKubeConfig({ context: 'prod' }), namespace: 'langgraph-agent' });
 * const cm = await writer.readConfigMap('redis-session-config');
 * await writer.patchConfigMapKey('redis-session-config', 'redis.conf', newText, cm!.resourceVersion);
 */
export class ClusterWriter implements ClusterWritePort {
  private readonly target: KubeTarget & { timeoutMs: number };
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly authz: AuthorizationV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: ClusterWriterOptions) {
    const { kubeConfig, namespace } = opts;
    const server = kubeConfig.getCurrentCluster()?.server ?? 'the Kubernetes API';
    this.target = {
      server,
      namespace,
      token: kubeConfig.getCurrentUser()?.token,
      timeoutMs: opts.requestTimeoutMs ?? 5000,
    };
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.authz = kubeConfig.makeApiClient(AuthorizationV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  }

  async readConfigMap(name: string): Promise<ConfigMapRead | undefined> {
    const { namespace, server } = this.target;
    let raw: unknown;
    try {
      raw = await this.call({ verb: 'get', resource: 'configmaps', name }, () =>
        this.core.readNamespacedConfigMap({ name, namespace }),
      );
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
    const cm = parseObject(configMapSchema, raw, `ConfigMap "${name}" from ${server}`);
    return {
      data: { ...(cm.data ?? {}) },
      resourceVersion: cm.metadata.resourceVersion,
      labels: { ...(cm.metadata.labels ?? {}) },
      annotations: { ...(cm.metadata.annotations ?? {}) },
    };
  }

  async argoApplicationExists(namespace: string, name: string): Promise<boolean> {
    const target = { ...this.target, namespace };
    const app = ARGOCD_API_ACCESS;
    const a = { verb: app.verb, resource: `${app.resource}.${app.group}`, name } as const;
    let raw: unknown;
    try {
      raw = await sendWithin(
        target,
        a,
        () =>
          this.custom.getNamespacedCustomObject({
            group: app.group,
            version: app.version,
            namespace,
            plural: app.resource,
            name,
          }),
        (err, action) => readError(err, action, target),
      );
    } catch (err) {
      // 404: no such Application, or the CRD itself is not installed (no Argo CD in this cluster).
      if (err instanceof ClusterError && err.status === 404) return false;
      throw err;
    }
    parseObject(argoApplicationSchema, raw, `Argo CD Application "${name}" from ${target.server}`);
    return true;
  }

  async fenceConfigMap(name: string, resourceVersion: string): Promise<{ resourceVersion: string }> {
    const { namespace, server } = this.target;
    const annotations = { [FENCE_ANNOTATION]: new Date(this.now()).toISOString() };
    const body = { metadata: { resourceVersion, annotations } };
    const raw = await this.call({ verb: 'patch', resource: 'configmaps', name }, () =>
      this.core.patchNamespacedConfigMap({ name, namespace, body }, this.mergePatch),
    );
    const patched = parseObject(configMapSchema, raw, `Fenced ConfigMap "${name}" from ${server}`);
    return { resourceVersion: patched.metadata.resourceVersion };
  }

  async patchConfigMapKey(
    name: string,
    key: string,
    value: string,
    resourceVersion: string,
  ): Promise<{ resourceVersion: string }> {
    const { namespace, server } = this.target;
    const body = { metadata: { resourceVersion }, data: { [key]: value } };
    const raw = await this.call({ verb: 'patch', resource: 'configmaps', name }, () =>
      this.core.patchNamespacedConfigMap({ name, namespace, body }, this.mergePatch),
    );
    const patched = parseObject(configMapSchema, raw, `Patched ConfigMap "${name}" from ${server}`);
    return { resourceVersion: patched.metadata.resourceVersion };
  }

  async readDeployment(name: string): Promise<DeploymentView | undefined> {
    const d = await this.getDeployment(name);
    return d ? toDeploymentView(d) : undefined;
  }

  async restartDeployment(name: string, resourceVersion: string, at: Date): Promise<void> {
    const body = {
      metadata: { resourceVersion },
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at.toISOString() } } } },
    };
    await this.call({ verb: 'patch', resource: 'deployments', name }, () =>
      this.apps.patchNamespacedDeployment({ name, namespace: this.target.namespace, body }, this.mergePatch),
    );
  }

  async waitForRollout(
    name: string,
    deadlineMs: number,
  ): Promise<{ status: 'complete' | 'timed_out' | 'failed'; detail: string }> {
    for (;;) {
      const d = await this.getDeployment(name);
      if (!d) {
        const detail = `Deployment "${name}" no longer exists in namespace "${this.target.namespace}"`;
        return { status: 'failed', detail };
      }
      const state = rolloutState(d);
      if (state.status !== 'progressing') return { status: state.status, detail: state.detail };
      const left = deadlineMs - this.now();
      if (left <= 0) {
        const detail = `rollout of Deployment "${name}" not complete at the deadline: ${state.detail}`;
        return { status: 'timed_out', detail };
      }
      await this.sleep(Math.min(this.opts.pollIntervalMs ?? 2000, left));
    }
  }

  async canI(verb: string, resource: 'configmaps' | 'deployments', name: string): Promise<boolean> {
    const { namespace, server } = this.target;
    const body = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: { namespace, verb, group: resource === 'deployments' ? 'apps' : '', resource, name },
      },
    };
    const raw = await this.call({ verb: 'create', resource: 'selfsubjectaccessreviews' }, () =>
      this.authz.createSelfSubjectAccessReview({ body }),
    );
    return parseObject(accessReviewSchema, raw, `SelfSubjectAccessReview from ${server}`).status?.allowed === true;
  }

  private async getDeployment(name: string): Promise<Deployment | undefined> {
    try {
      const raw = await this.call({ verb: 'get', resource: 'deployments', name }, () =>
        this.apps.readNamespacedDeployment({ name, namespace: this.target.namespace }),
      );
      return parseObject(deploymentSchema, raw, `Deployment "${name}" from ${this.target.server}`);
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  private call<T>(a: KubeAction, send: () => Promise<T>): Promise<T> {
    return sendWithin(this.target, a, send, (err, action) => writeError(err, action, this.target));
  }
}

/** The writer of a live cluster (see `ClusterWriter`). */
export function createClusterWriter(opts: ClusterWriterOptions): ClusterWritePort {
  return new ClusterWriter(opts);
}
