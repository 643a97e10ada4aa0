import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { API_ACCESS } from '../../../src/adapters/kubernetes/api-access.js';
import { liveKubernetesSchema } from '../../../src/config/environments.js';
import { deploymentFromSelector } from '../../../src/remediation/actions/object-names.js';

type Obj = Record<string, any>;
const role = parseAllDocuments(readFileSync('manifests/bot/rbac.yaml', 'utf8'))
  .map((d) => d.toJS() as Obj)
  .find((o) => o.kind === 'Role')!;

/** `apps deployments patch [langgraph-agent,redis-session]` per granted verb. */
const grants = (): string[] =>
  role.rules.flatMap((r: Obj) =>
    (r.apiGroups as string[]).flatMap((g) =>
      (r.resources as string[]).flatMap((res) =>
        (r.verbs as string[]).map(
          (v) => `${g} ${res} ${v}${r.resourceNames ? ` [${[...r.resourceNames].sort().join(',')}]` : ''}`,
        ),
      ),
    ),
  );

describe('manifests/bot/rbac.yaml Role', () => {
  const defaults = liveKubernetesSchema.parse({});
  const names: Record<string, string[]> = {
    configmaps: [defaults.appConfigMap, defaults.redisConfigMap].sort(),
    deployments: [
      deploymentFromSelector(defaults.appSelector)!,
      deploymentFromSelector(defaults.redisSelector)!,
    ].sort(),
  };

  it('grants exactly the accesses the code makes (src/adapters/kubernetes/api-access.ts), no other verb', () => {
    const used = API_ACCESS.map(
      (a) => `${a.group} ${a.resource} ${a.verb}${a.named ? ` [${names[a.resource]!.join(',')}]` : ''}`,
    );
    expect(grants().sort()).toEqual([...used].sort());
  });

  it('grants every write only on named objects, and never a wildcard or a destructive verb', () => {
    for (const rule of role.rules as Obj[]) {
      expect(rule.verbs).not.toContain('*');
      expect(rule.resources).not.toContain('*');
      for (const v of ['create', 'update', 'delete', 'deletecollection', 'watch', 'escalate', 'bind', 'impersonate']) {
        expect(rule.verbs).not.toContain(v);
      }
      if ((rule.verbs as string[]).includes('patch')) expect(rule.resourceNames?.length).toBeGreaterThan(0);
    }
  });
});
