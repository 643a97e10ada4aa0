import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DeploymentView } from '../../core/ports/cluster-write.js';

/** A Deployment as far as the actions read it (its memory limit, replicas) and follow its rollout. */
export const deploymentSchema = z.object({
  metadata: z.object({
    name: z.string(),
    resourceVersion: z.string().min(1),
    generation: z.number().nullish(),
    labels: z.record(z.string(), z.string()).nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
  }),
  spec: z.object({
    replicas: z.number().nullish(),
    paused: z.boolean().nullish(),
    // Loose: the whole template (metadata, every spec field) is hashed into the view's templateFingerprint.
    template: z.looseObject({
      spec: z
        .looseObject({
          containers: z.array(
            z.looseObject({
              name: z.string(),
              resources: z.looseObject({ limits: z.record(z.string(), z.unknown()).nullish() }).nullish(),
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

export type Deployment = z.infer<typeof deploymentSchema>;

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

/** JSON with object keys sorted at every level: the same object always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** sha256 of the pod template as canonical JSON, first 16 hex digits: what changes when the pods roll. */
export function podTemplateFingerprint(template: unknown): string {
  return createHash('sha256').update(canonicalJson(template)).digest('hex').slice(0, 16);
}

/** What the actions see of a Deployment: its memory limit (first container), replicas, resourceVersion, pod template hash. */
export function toDeploymentView(d: Deployment): DeploymentView {
  const memory = d.spec.template.spec?.containers[0]?.resources?.limits?.['memory'];
  return {
    name: d.metadata.name,
    paused: d.spec.paused === true,
    replicas: d.spec.replicas ?? 1,
    resourceVersion: d.metadata.resourceVersion,
    labels: { ...(d.metadata.labels ?? {}) },
    annotations: { ...(d.metadata.annotations ?? {}) },
    templateFingerprint: podTemplateFingerprint(d.spec.template),
    ...(memory !== undefined && memory !== null
      ? { memoryLimit: typeof memory === 'string' ? memory : JSON.stringify(memory) }
      : {}),
  };
}
