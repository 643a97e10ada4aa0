import { z } from 'zod';
import type { ObjectLabels } from '../../core/ports/cluster-write.js';

/** Argo CD's annotation tracking: `<app>:<group>/<kind>:<namespace>/<name>` (`<ns>_<app>` for apps in any namespace). */
export const ARGOCD_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
/** Argo CD's label tracking (and Helm's release label: an Argo CD Application of that name must exist). */
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const FLUX_KUSTOMIZE_NAME = 'kustomize.toolkit.fluxcd.io/name';
export const FLUX_KUSTOMIZE_NAMESPACE = 'kustomize.toolkit.fluxcd.io/namespace';
export const FLUX_HELM_NAME = 'helm.toolkit.fluxcd.io/name';
export const FLUX_HELM_NAMESPACE = 'helm.toolkit.fluxcd.io/namespace';

/** Who reconciles an object from Git, as the controller wrote it on the object. */
export const gitopsOwnerSchema = z.object({
  tool: z.enum(['argocd', 'flux-kustomize', 'flux-helm']),
  /** The Argo CD Application, Flux Kustomization or Flux HelmRelease. */
  name: z.string().min(1),
  /** Its namespace, when the object names it (Flux's `…/namespace` label, Argo CD's `<ns>_<app>`). */
  namespace: z.string().min(1).optional(),
  /** What on the object said so, for people: `annotation argocd.argoproj.io/tracking-id`. */
  evidence: z.string().min(1),
});

/**
 * The GitOps controller that owns an object.
 *
 * @example
 * { tool: 'argocd', name: 'sessions', evidence: 'annotation argocd.argoproj.io/tracking-id' }
 * { tool: 'flux-kustomize', name: 'apps', namespace: 'flux-system', evidence: 'label kustomize.toolkit.fluxcd.io/name' }
 */
export type GitOpsOwner = z.infer<typeof gitopsOwnerSchema>;

/** `sessions` or, for Argo CD's applications in any namespace, `team-a_sessions` → namespace and name. */
function argoAppName(value: string): { name: string; namespace?: string } | undefined {
  const [ns, app] = value.includes('_') ? value.split('_', 2) : [undefined, value];
  if (!app) return undefined;
  return ns ? { name: app, namespace: ns } : { name: app };
}

/** The Application the tracking-id names: the part before the first ':'. */
function fromTrackingId(annotations: Record<string, string>): GitOpsOwner | undefined {
  const value = annotations[ARGOCD_TRACKING_ID]?.trim();
  const app = value ? argoAppName(value.split(':')[0] ?? '') : undefined;
  return app ? { tool: 'argocd', ...app, evidence: `annotation ${ARGOCD_TRACKING_ID}` } : undefined;
}

function fromFluxLabel(
  labels: Record<string, string>,
  tool: 'flux-kustomize' | 'flux-helm',
  nameLabel: string,
  namespaceLabel: string,
): GitOpsOwner | undefined {
  const name = labels[nameLabel]?.trim();
  if (!name) return undefined;
  const namespace = labels[namespaceLabel]?.trim();
  return { tool, name, ...(namespace ? { namespace } : {}), evidence: `label ${nameLabel}` };
}

/**
 * The Argo CD Application that the `app.kubernetes.io/instance` label would name, when nothing else on
 * the object decides: Helm writes the same label on every object of a release, so it means Argo CD only
 * when an Application of that name exists (the caller looks it up).
 */
export function argoInstanceCandidate(meta: ObjectLabels): { name: string; namespace?: string } | undefined {
  if (ownerFromMetadata(meta)) return undefined;
  const value = meta.labels[INSTANCE_LABEL]?.trim();
  return value ? argoAppName(value) : undefined;
}

/** The owner that labels and annotations alone prove: Argo CD's tracking-id, Flux's labels. */
function ownerFromMetadata(meta: ObjectLabels): GitOpsOwner | undefined {
  return (
    fromTrackingId(meta.annotations) ??
    fromFluxLabel(meta.labels, 'flux-kustomize', FLUX_KUSTOMIZE_NAME, FLUX_KUSTOMIZE_NAMESPACE) ??
    fromFluxLabel(meta.labels, 'flux-helm', FLUX_HELM_NAME, FLUX_HELM_NAMESPACE)
  );
}

/**
 * Who manages an object from Git, decided from what the controllers write on it; undefined when nothing
 * says GitOps. `instanceApplication`: whether the Argo CD Application named by `argoInstanceCandidate`
 * exists (looked up by the caller; absent: not looked up, so the instance label alone decides nothing).
 * Pure.
 *
 * @example
 * gitopsOwner({ labels: {}, annotations: { 'argocd.argoproj.io/tracking-id': 'sessions:/ConfigMap:prod/cm' } })
 * // → { tool: 'argocd', name: 'sessions', evidence: 'annotation argocd.argoproj.io/tracking-id' }
 */
export function gitopsOwner(
  meta: ObjectLabels,
  instanceApplication?: { exists: boolean; namespace: string },
): GitOpsOwner | undefined {
  const owner = ownerFromMetadata(meta);
  if (owner) return owner;
  const app = argoInstanceCandidate(meta);
  if (!app || !instanceApplication?.exists) return undefined;
  return {
    tool: 'argocd',
    name: app.name,
    namespace: app.namespace ?? instanceApplication.namespace,
    evidence: `label ${INSTANCE_LABEL} and Argo CD Application ${app.namespace ?? instanceApplication.namespace}/${app.name}`,
  };
}

const TOOL_NAMES: Readonly<Record<GitOpsOwner['tool'], string>> = {
  argocd: 'Argo CD application',
  'flux-kustomize': 'Flux Kustomization',
  'flux-helm': 'Flux HelmRelease',
};

/** `Argo CD application "sessions"`, `Flux Kustomization "flux-system/apps"`. */
export function describeOwner(owner: GitOpsOwner): string {
  const name = owner.tool !== 'argocd' && owner.namespace ? `${owner.namespace}/${owner.name}` : owner.name;
  return `${TOOL_NAMES[owner.tool]} "${name}"`;
}
