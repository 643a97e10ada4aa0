// The port the remediation actions change Kubernetes objects through; `adapters/kubernetes/cluster-writer.ts`
// implements it.

/** The Kubernetes objects the actions change, with resourceVersion preconditions. */
export interface ClusterWritePort {
  readConfigMap(name: string): Promise<{ data: Record<string, string>; resourceVersion: string } | undefined>;
  /** Merge patch of one key, failing with a ClusterError kind 'conflict' (409) when resourceVersion moved. */
  patchConfigMapKey(
    name: string,
    key: string,
    value: string,
    resourceVersion: string,
  ): Promise<{ resourceVersion: string }>;
  readDeployment(name: string): Promise<DeploymentView | undefined>;
  /** `kubectl rollout restart`: sets `kubectl.kubernetes.io/restartedAt` on the pod template. */
  restartDeployment(name: string, resourceVersion: string, at: Date): Promise<void>;
  /** Follows the rollout until complete, failed or the deadline. */
  waitForRollout(
    name: string,
    deadlineMs: number,
  ): Promise<{ status: 'complete' | 'timed_out' | 'failed'; detail: string }>;
  /** SelfSubjectAccessReview for the exact verb and object. */
  canI(verb: string, resource: 'configmaps' | 'deployments', name: string): Promise<boolean>;
}

export interface DeploymentView {
  name: string;
  paused: boolean;
  replicas: number;
  resourceVersion: string;
  /** Memory limit of the first container, e.g. `512Mi`, when set. */
  memoryLimit?: string;
}
