import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createManifestCluster } from '../../src/adapters/kubernetes/manifest-cluster.js';

type Obj = Record<string, any>;
const docs = (path: string): Obj[] =>
  parseAllDocuments(readFileSync(resolve(path), 'utf8')).map((d) => d.toJS() as Obj);

describe('manifests/bot', () => {
  it('RBAC: a Role bound to the service account (its grants: test/adapters/kubernetes/rbac.test.ts)', () => {
    const objs = docs('manifests/bot/rbac.yaml');
    expect(objs.map((o) => o.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding']);
    const role = objs.find((o) => o.kind === 'Role')!;
    const binding = objs.find((o) => o.kind === 'RoleBinding')!;
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects[0].name).toBe(objs[0]!.metadata.name);
  });

  it('the Deployment runs as that service account, non-root, read-only root, config at SESSION_TTL_CONFIG', async () => {
    // The base has no config; the prod overlay generates it (all overlays: test/manifests/kustomize.test.ts).
    const dir = mkdtempSync(join(tmpdir(), 'bot-manifests-'));
    writeFileSync(
      join(dir, 'prod.yaml'),
      execFileSync('kubectl', ['kustomize', 'manifests/overlays/prod'], { encoding: 'utf8' }),
    );
    const objs = docs(join(dir, 'prod.yaml'));
    const deploy = objs.find((o) => o.kind === 'Deployment')!;
    const pod = deploy.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.serviceAccountName).toBe('session-ttl-bot');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.ports[0].containerPort).toBe(3000);
    const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e]));
    expect(env.SESSION_TTL_CONFIG.value).toBe('/etc/session-ttl/session-ttl.yaml');
    for (const secret of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET']) {
      expect(env[secret].value, `${secret} must come from a Secret`).toBeUndefined();
      expect(env[secret].valueFrom.secretKeyRef.name).toBe('session-ttl-bot-slack');
    }
    const mount = c.volumeMounts.find((m: Obj) => m.mountPath === '/etc/session-ttl');
    const volume = pod.volumes.find((v: Obj) => v.name === mount.name);
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name)!;
    expect(volume.configMap.name).toMatch(/^session-ttl-bot-config-/);
    expect(cm.data['session-ttl.yaml']).toContain('profile: production');
    // The manifest adapter reads it too: the Deployment becomes a pseudo-pod.
    const pods = await createManifestCluster({ dir, namespace: 'langgraph-agent' }).listPods('app=session-ttl-bot');
    expect(pods.map((p) => p.name)).toEqual(['deployment/session-ttl-bot']);
  });
});

describe('manifests/bot/prometheus-rule.yaml', () => {
  it("carries the runbook's SessionTTLViolations rule", () => {
    const [rule] = docs('manifests/bot/prometheus-rule.yaml');
    const alert = rule!.spec.groups.flatMap((g: Obj) => g.rules).find((r: Obj) => r.alert === 'SessionTTLViolations');
    expect(alert.expr.trim()).toBe('rate(session_ttl_violations_total[10m]) > 0');
    expect(alert.for).toBe('5m');
    expect(alert.labels).toMatchObject({ severity: 'info', component: 'sessions' });
  });
});
