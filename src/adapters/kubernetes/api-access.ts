/**
 * Every Kubernetes API access the bot makes, in one place: `manifests/bot/rbac.yaml` must grant exactly
 * these (a test compares them). `named` accesses touch only the environment's own objects, so the
 * Role lists them with `resourceNames`.
 */
export interface ApiAccess {
  group: '' | 'apps';
  resource: string;
  verb: 'get' | 'list' | 'patch';
  named: boolean;
  /** The adapter calls that need it. */
  usedBy: string;
}

export const API_ACCESS: readonly ApiAccess[] = [
  // kubernetes-cluster.ts (the checks). Any ConfigMap: pods may take env from several (envFrom).
  { group: '', resource: 'configmaps', verb: 'get', named: false, usedBy: 'readConfigMap (checks and actions)' },
  { group: '', resource: 'pods', verb: 'list', named: false, usedBy: 'listPods' },
  { group: '', resource: 'pods', verb: 'get', named: false, usedBy: 'podLogs (reads the pod first)' },
  { group: '', resource: 'pods/log', verb: 'get', named: false, usedBy: 'podLogs' },
  // cluster-writer.ts (the remediation actions).
  { group: '', resource: 'configmaps', verb: 'patch', named: true, usedBy: 'patchConfigMapKey, fenceConfigMap' },
  { group: 'apps', resource: 'deployments', verb: 'get', named: true, usedBy: 'readDeployment, waitForRollout' },
  { group: 'apps', resource: 'deployments', verb: 'patch', named: true, usedBy: 'restartDeployment' },
  // SelfSubjectAccessReview (canI) needs no grant: every authenticated user may create one.
];

/**
 * The one optional access, in Argo CD's namespace rather than the bot's: reading an Application by name
 * (`argoApplicationExists`), granted by `manifests/argocd-read` (a test compares them). Without it the
 * preview says it could not check who manages the ConfigMap.
 */
export const ARGOCD_API_ACCESS = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  resource: 'applications',
  verb: 'get',
  usedBy: 'argoApplicationExists',
} as const;
