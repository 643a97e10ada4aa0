import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
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

export interface ManifestClusterOptions {
  /** Directory of YAML manifests, read recursively. */
  dir: string;
  /** Namespace of the app; objects without `metadata.namespace` are taken to be in it (kustomize style). */
  namespace: string;
}

/** One term of an equality-based label selector. */
export interface SelectorTerm {
  key: string;
  op: '=' | '!=' | 'exists' | 'not_exists';
  value?: string;
}

/**
 * Parses an equality-based label selector (`app=a,tier!=cache`, `==` too, a bare key for "has label",
 * `!key` for "has not"). Set-based selectors (`in`, `notin`) are refused with a clear message.
 */
export function parseSelector(selector: string): SelectorTerm[] {
  return selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      if (/\s(in|notin)\s*\(/.test(term) || term.includes('(')) {
        throw new ClusterError(
          `label selector "${selector}": set-based terms like "${term}" are not supported for a manifests source; use key=value, key!=value, key or !key.`,
          'invalid',
        );
      }
      const m = /^([A-Za-z0-9._/-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(term);
      if (m) return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
      const bare = /^(!?)([A-Za-z0-9._/-]+)$/.exec(term);
      if (bare) return { key: bare[2]!, op: bare[1] ? 'not_exists' : 'exists' };
      throw new ClusterError(
        `label selector "${selector}": cannot read "${term}"; use key=value, key!=value, key or !key.`,
        'invalid',
      );
    });
}

export function selectorMatches(terms: readonly SelectorTerm[], labels: Record<string, string>): boolean {
  return terms.every((t) => {
    switch (t.op) {
      case '=':
        return labels[t.key] === t.value;
      case '!=':
        return labels[t.key] !== t.value;
      case 'exists':
        return t.key in labels;
      case 'not_exists':
        return !(t.key in labels);
    }
  });
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

interface LoadedObject {
  file: string;
  doc: Record<string, unknown>;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Reads every Kubernetes object (a mapping with `kind`) from the YAML files under `dir`. */
async function loadObjects(dir: string): Promise<LoadedObject[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new ClusterError(
      `manifests directory ${dir} does not exist or is not a directory; fix kubernetes.manifests in the config file.`,
      'invalid',
    );
  }
  const objects: LoadedObject[] = [];
  for (const path of await yamlFiles(dir)) {
    const rel = relative(process.cwd(), path);
    const file = rel && !rel.startsWith('..') ? rel : path;
    const text = await readFile(path, 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const first = doc.errors[0];
      if (first) {
        throw new ClusterError(`manifest ${file} is not valid YAML: ${first.message.split('\n')[0]}`, 'invalid');
      }
      const value: unknown = doc.toJS();
      const push = (v: unknown) => {
        if (v && typeof v === 'object' && typeof (v as { kind?: unknown }).kind === 'string') {
          objects.push({ file, doc: v as Record<string, unknown> });
        }
      };
      // A `kind: List` (what `kubectl get -o yaml` prints for several objects) holds them in items.
      if (value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'List') {
        for (const item of (value as { items?: unknown[] }).items ?? []) push(item);
      } else push(value);
    }
  }
  return objects;
}

function parseIn<S extends z.ZodType>(schema: S, o: LoadedObject): z.infer<S> {
  const parsed = schema.safeParse(o.doc);
  if (!parsed.success) {
    const name = (o.doc.metadata as { name?: unknown } | undefined)?.name;
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
    const ns = (o.doc.metadata as { namespace?: unknown } | undefined)?.namespace;
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
      const found = objects.find(
        (o) =>
          o.doc.kind === 'ConfigMap' &&
          (o.doc.metadata as { name?: unknown } | undefined)?.name === name &&
          inNamespace(o),
      );
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
