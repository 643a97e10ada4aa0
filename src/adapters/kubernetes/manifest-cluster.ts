import { z } from 'zod';
import { ClusterError, type ClusterPort, type ConfigMapView, type PodView } from '../../core/ports/cluster.js';
import {
  configMapSchema,
  describeReplyIssues,
  podSchema,
  podSpecSchema,
  toConfigMapView,
  toContainerViews,
  toPodView,
} from './kube-objects.js';
import { parseSelector, selectorMatches } from './label-selector.js';
import { loadObjects, metadataOf, type LoadedObject } from './manifest-files.js';

export interface ManifestClusterOptions {
  /** Directory of YAML manifests, read recursively. */
  dir: string;
  /** Namespace of the app; objects without `metadata.namespace` are taken to be in it (kustomize style). */
  namespace: string;
}

/** Workloads whose pod template stands in for pods that a manifest directory cannot show. */
const WORKLOAD_KINDS: Record<string, string> = {
  Deployment: 'deployment',
  StatefulSet: 'statefulset',
  DaemonSet: 'daemonset',
  ReplicaSet: 'replicaset',
};

const workloadSchema = z.object({
  metadata: z.object({ name: z.string().min(1), namespace: z.string().nullish() }),
  spec: z.object({
    template: z.object({
      metadata: z.object({ labels: z.record(z.string(), z.string()).nullish() }).nullish(),
      spec: podSpecSchema,
    }),
  }),
});

function parseIn<S extends z.ZodType>(schema: S, o: LoadedObject): z.infer<S> {
  const parsed = schema.safeParse(o.doc);
  if (!parsed.success) {
    const { name } = metadataOf(o);
    throw new ClusterError(
      `manifest ${o.file}: ${String(o.doc.kind)} ${typeof name === 'string' ? `"${name}" ` : ''}is malformed: ${describeReplyIssues(parsed.error)}`,
      'invalid',
    );
  }
  return parsed.data;
}

/**
 * A read-only ClusterPort over a directory of YAML manifests (a GitOps checkout, or `manifests/demo`).
 * Pods come from `kind: Pod` objects and, as pseudo-pods named `deployment/<name>` (no start time),
 * from the pod templates of Deployments, StatefulSets, DaemonSets and ReplicaSets.
 * The directory is read again for every call, so edits show up without a restart; calls made while a
 * read is under way share it (a diagnosis's checks ask at the same moment, and parsing the YAML again
 * for each of them was most of a manifests diagnosis's own time).
 *
 * @example
 * const cluster = createManifestCluster({ dir: 'manifests/demo', namespace: 'langgraph-agent' });
 * await cluster.listPods('app=langgraph-agent');
 */
export function createManifestCluster(opts: ManifestClusterOptions): ClusterPort {
  const { dir, namespace } = opts;
  const inNamespace = (o: LoadedObject) => {
    const ns = metadataOf(o).namespace;
    return ns === undefined || ns === null || ns === namespace;
  };
  let reading: Promise<LoadedObject[]> | undefined;
  const objectsNow = (): Promise<LoadedObject[]> =>
    (reading ??= loadObjects(dir).finally(() => {
      reading = undefined;
    }));

  return {
    description: `manifests ${dir}`,

    async readConfigMap(name): Promise<ConfigMapView | undefined> {
      const objects = await objectsNow();
      const found = objects.find((o) => o.doc.kind === 'ConfigMap' && metadataOf(o).name === name && inNamespace(o));
      return found ? toConfigMapView(parseIn(configMapSchema, found), namespace) : undefined;
    },

    async listPods(selector): Promise<PodView[]> {
      const terms = parseSelector(selector);
      const objects = (await objectsNow()).filter(inNamespace);
      const pods: PodView[] = [];
      for (const o of objects) {
        if (o.doc.kind === 'Pod') {
          const pod = parseIn(podSchema, o);
          if (selectorMatches(terms, pod.metadata.labels ?? {})) pods.push(toPodView(pod));
          continue;
        }
        const prefix = WORKLOAD_KINDS[String(o.doc.kind)];
        if (!prefix) continue;
        const w = parseIn(workloadSchema, o);
        if (selectorMatches(terms, w.spec.template.metadata?.labels ?? {})) {
          pods.push({ name: `${prefix}/${w.metadata.name}`, containers: toContainerViews(w.spec.template.spec) });
        }
      }
      return pods;
    },

    async podLogs() {
      return '';
    },

    async serverTime() {
      return undefined;
    },
  };
}
