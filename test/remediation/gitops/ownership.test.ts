import { describe, expect, it } from 'vitest';
import { argoInstanceCandidate, describeOwner, gitopsOwner } from '../../../src/remediation/gitops/ownership.js';

const meta = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => ({
  labels,
  annotations,
});
const TRACKING = 'argocd.argoproj.io/tracking-id';
const INSTANCE = 'app.kubernetes.io/instance';

describe('gitopsOwner (pure)', () => {
  it.each([
    {
      what: "Argo CD's tracking-id annotation: the Application is the part before the first ':'",
      object: meta({}, { [TRACKING]: 'sessions:/ConfigMap:langgraph-agent/redis-session-config' }),
      owner: { tool: 'argocd', name: 'sessions', evidence: `annotation ${TRACKING}` },
    },
    {
      what: 'a tracking-id of an Application in any namespace (<ns>_<app>)',
      object: meta({}, { [TRACKING]: 'team-a_sessions:apps/Deployment:langgraph-agent/langgraph-agent' }),
      owner: { tool: 'argocd', name: 'sessions', namespace: 'team-a', evidence: `annotation ${TRACKING}` },
    },
    {
      what: "Flux kustomize-controller's labels, with its namespace",
      object: meta({
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      }),
      owner: {
        tool: 'flux-kustomize',
        name: 'apps',
        namespace: 'flux-system',
        evidence: 'label kustomize.toolkit.fluxcd.io/name',
      },
    },
    {
      what: "Flux helm-controller's label (and Helm's instance label, which then decides nothing)",
      object: meta({ 'helm.toolkit.fluxcd.io/name': 'redis', [INSTANCE]: 'redis' }),
      owner: { tool: 'flux-helm', name: 'redis', evidence: 'label helm.toolkit.fluxcd.io/name' },
    },
  ])('$what', ({ object, owner }) => {
    expect(gitopsOwner(object)).toEqual(owner);
    // Nothing left to look up: the labels and annotations decided.
    expect(argoInstanceCandidate(object)).toBeUndefined();
  });

  it('takes the app.kubernetes.io/instance label for Argo CD only when its Application exists', () => {
    const object = meta({ [INSTANCE]: 'sessions', app: 'redis' });
    expect(argoInstanceCandidate(object)).toEqual({ name: 'sessions' });
    expect(gitopsOwner(object, { exists: true, namespace: 'argocd' })).toEqual({
      tool: 'argocd',
      name: 'sessions',
      namespace: 'argocd',
      evidence: `label ${INSTANCE} and Argo CD Application argocd/sessions`,
    });
    // A Helm release's label with no Application of that name, or not looked up: not GitOps.
    expect(gitopsOwner(object, { exists: false, namespace: 'argocd' })).toBeUndefined();
    expect(gitopsOwner(object)).toBeUndefined();
  });

  it('finds no owner in unrelated labels and annotations, nor in empty values', () => {
    const object = meta(
      { app: 'redis-session', 'app.kubernetes.io/managed-by': 'Helm', 'kustomize.toolkit.fluxcd.io/name': ' ' },
      { 'kubectl.kubernetes.io/last-applied-configuration': '{}', [TRACKING]: '' },
    );
    expect(gitopsOwner(object, { exists: true, namespace: 'argocd' })).toBeUndefined();
    expect(argoInstanceCandidate(object)).toBeUndefined();
    expect(gitopsOwner(meta())).toBeUndefined();
  });

  it('names the owner for people', () => {
    expect(describeOwner({ tool: 'argocd', name: 'sessions', evidence: 'x' })).toBe('Argo CD application "sessions"');
    expect(describeOwner({ tool: 'flux-kustomize', name: 'apps', namespace: 'flux-system', evidence: 'x' })).toBe(
      'Flux Kustomization "flux-system/apps"',
    );
    expect(describeOwner({ tool: 'flux-helm', name: 'redis', evidence: 'x' })).toBe('Flux HelmRelease "redis"');
  });
});
