/**
 * The Kubernetes objects the checks read, narrowed to the fields they use. Both the live API
 * (`kubernetes-cluster.ts`) and a directory of YAML manifests (`manifest-cluster.ts`) implement it.
 */
export interface ClusterPort {
  /** Where the objects come from, for evidence ("context prod-cluster", "manifests ./gitops"). */
  readonly description: string;
  /** The ConfigMap, or undefined when it does not exist (404). */
  readConfigMap(name: string): Promise<ConfigMapView | undefined>;
  /** Pods matching a label selector such as `app=langgraph-agent`. */
  listPods(selector: string): Promise<PodView[]>;
  /** Tail of a pod's logs (all containers concatenated); empty when the source has no logs. */
  podLogs?(podName: string, tailLines: number): Promise<string>;
  /** The API server's clock (from its `Date` header), in ms; undefined when unknown. */
  serverTime?(): Promise<number | undefined>;
}

export interface ConfigMapView {
  name: string;
  namespace: string;
  data: Record<string, string>;
  /** When the ConfigMap last changed: the newest managedFields time, else its creation time (ms). */
  lastChangedAt?: number;
}

export interface EnvVarView {
  name: string;
  /** Literal value, when the container sets one. */
  value?: string;
  /** Set when the value comes from a ConfigMap key. */
  configMapKeyRef?: { name: string; key: string };
}

export interface ContainerView {
  name: string;
  env: EnvVarView[];
  /** Names of ConfigMaps taken whole through envFrom. */
  envFromConfigMaps: string[];
  /** When this container last started (ms), if known. */
  startedAt?: number;
}

export interface PodView {
  name: string;
  /** Pod start time (ms), if known. Pods from Deployment templates have none. */
  startedAt?: number;
  containers: ContainerView[];
}

/**
 * Raised by cluster adapters; `kind` decides the finding id and the message. `conflict` is a 409: the
 * object changed since it was read (a resourceVersion precondition failed); `not_found` a 404 where the
 * object must exist (a write).
 */
export class ClusterError extends Error {
  override name = 'ClusterError';
  constructor(
    message: string,
    readonly kind: 'forbidden' | 'unreachable' | 'server_error' | 'invalid' | 'conflict' | 'not_found',
    readonly status?: number,
  ) {
    super(message);
  }
}
