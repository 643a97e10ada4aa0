import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ARGOCD_API_ACCESS } from '../../src/adapters/kubernetes/api-access.js';
import { parseConfig } from '../../src/config/config.js';

type Obj = Record<string, any>;

const render = (dir: string): Obj[] =>
  parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })).map((d) => d.toJS() as Obj);

// manifests/argocd-read: the optional grant that lets the preview read Argo CD Applications (README
// "Remediation under GitOps"), kept apart from the overlays because it lives in Argo CD's namespace.
describe('kubectl kustomize manifests/argocd-read', () => {
  const objs = render('manifests/argocd-read');
  const role = objs.find((o) => o.kind === 'Role')!;
  const binding = objs.find((o) => o.kind === 'RoleBinding')!;

  it("grants exactly the bot's one Argo CD access (get on applications.argoproj.io), in Argo CD's namespace", () => {
    expect(objs.map((o) => o.kind).sort()).toEqual(['Role', 'RoleBinding']);
    expect(role.rules).toEqual([
      {
        apiGroups: [ARGOCD_API_ACCESS.group],
        resources: [ARGOCD_API_ACCESS.resource],
        verbs: [ARGOCD_API_ACCESS.verb],
      },
    ]);
    const defaultNamespace = parseConfig(
      { environments: { dev: { profile: 'development', redis: { url: 'redis://127.0.0.1:6379' } } } },
      'test',
    ).remediation.gitops.argocdNamespace;
    expect([role.metadata.namespace, binding.metadata.namespace]).toEqual([defaultNamespace, defaultNamespace]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
  });

  it.each(readdirSync('manifests/overlays'))("binds the bot's ServiceAccount as overlay %s renders it", (overlay) => {
    const account = render(`manifests/overlays/${overlay}`).find((o) => o.kind === 'ServiceAccount')!;
    expect(binding.subjects).toContainEqual({
      kind: 'ServiceAccount',
      name: account.metadata.name,
      namespace: account.metadata.namespace,
    });
  });
});
