// The Kubernetes objects the checks read, as zod shapes and the views the ClusterPort hands out. Both
// the live adapter (kubernetes-cluster.ts) and the manifests adapter (manifest-cluster.ts) use them; this
// module does not import @kubernetes/client-node, so an environment read from manifests never loads it.
import { z } from 'zod';
import {
  ClusterError,
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

export const podListSchema = z.object({ items: z.array(podSchema) });

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
