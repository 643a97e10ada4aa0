// The port the remediation actions change Kubernetes objects through; `adapters/kubernetes/cluster-writer.ts`
// implements it.

/**
 * The labels and annotations of an object, as its controllers wrote them: what tells whether Argo CD or
 * Flux manages it (`remediation/gitops/ownership.ts`). Empty when it has none.
 */
export interface ObjectLabels {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A ConfigMap as the actions read it: its data, the resourceVersion a patch takes as precondition, its labels. */
export interface ConfigMapRead extends ObjectLabels {
  data: Record<string, string>;
  resourceVersion: string;
}

/** The Kubernetes objects the actions change, with resourceVersion preconditions. */
export interface ClusterWritePort {
  readConfigMap(name: string): Promise<ConfigMapRead | undefined>;
  /** Merge patch of one key, failing with a ClusterError kind 'conflict' (409) when resourceVersion moved. */
  patchConfigMapKey(
    name: string,
    key: string,
    value: string,
    resourceVersion: string,
  ): Promise<{ resourceVersion: string }>;
  /**
   * Moves the ConfigMap's resourceVersion past `resourceVersion` (a merge patch of one annotation, with that
   * resourceVersion as precondition), so that a PATCH sent earlier with it can no longer land: what an apply
   * does after a PATCH timed out and its read-back found it not landed. ClusterError `conflict` when the
   * object moved already (the earlier PATCH, or someone else, landed first).
   */
  fenceConfigMap(name: string, resourceVersion: string): Promise<{ resourceVersion: string }>;
  readDeployment(name: string): Promise<DeploymentView | undefined>;
  /** `kubectl rollout restart`: sets `kubectl.kubernetes.io/restartedAt` on the pod template. */
  restartDeployment(name: string, resourceVersion: string, at: Date): Promise<void>;
  /** Follows the rollout until complete, failed or the deadline. */
  waitForRollout(
    name: string,
    deadlineMs: number,
  ): Promise<{ status: 'complete' | 'timed_out' | 'failed'; detail: string }>;
  /**
   * Whether an Argo CD Application (argoproj.io/v1alpha1 `applications`) of this name exists in `namespace`
   * (the Argo CD namespace, not the environment's): false on 404 (no such Application, or no Argo CD at all).
   * Any other failure is a ClusterError (`forbidden` on 403: the bot may not read Applications).
   */
  argoApplicationExists(namespace: string, name: string): Promise<boolean>;
  /** SelfSubjectAccessReview for the exact verb and object. */
  canI(verb: string, resource: 'configmaps' | 'deployments', name: string): Promise<boolean>;
}

export interface DeploymentView extends ObjectLabels {
  name: string;
  paused: boolean;
  replicas: number;
  resourceVersion: string;
  /** Memory limit of the first container, e.g. `512Mi`, when set. */
  memoryLimit?: string;
  /**
   * A hash of the pod template (its labels, annotations, `kubectl.kubernetes.io/restartedAt` included, and
   * spec): it changes exactly when the Deployment rolls its pods. A GitOps fix compares it before and after
   * the merge to see whether the controller restarted the app.
   */
  templateFingerprint: string;
}
