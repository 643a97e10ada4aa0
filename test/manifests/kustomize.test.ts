import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { API_ACCESS } from '../../src/adapters/kubernetes/api-access.js';
import { parseConfig, isManifestSource } from '../../src/config/config.js';
import { slackMetrics } from '../../src/chat/slack/slack-metrics.js';
import { commandMetrics } from '../../src/commands/command-metrics.js';
import { checkMetrics } from '../../src/diagnostics/check-metrics.js';
import { monitorMetrics } from '../../src/monitor/metrics.js';
import { deploymentFromSelector } from '../../src/remediation/actions/object-names.js';
import { DEFAULT_GRACE_MS, DEFAULT_LAST_WORDS_MS } from '../../src/host/host.js';

type Obj = Record<string, any>;

const overlays = readdirSync('manifests/overlays');
const render = (overlay: string): Obj[] =>
  parseAllDocuments(execFileSync('kubectl', ['kustomize', `manifests/overlays/${overlay}`], { encoding: 'utf8' })).map(
    (d) => d.toJS() as Obj,
  );
const rendered = new Map(overlays.map((o) => [o, render(o)]));
const one = (objs: Obj[], kind: string) => {
  const found = objs.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

describe.each(overlays)('kubectl kustomize manifests/overlays/%s', (overlay) => {
  const objs = rendered.get(overlay)!;
  const deploy = one(objs, 'Deployment');
  const pod = deploy.spec.template.spec;
  const container = pod.containers[0];

  it('renders every object the bot needs, all in one namespace', () => {
    for (const kind of [
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'Deployment',
      'Service',
      'PrometheusRule',
      'ServiceMonitor',
      'NetworkPolicy',
    ])
      one(objs, kind);
    // Two ConfigMaps: the bot's config and the Grafana dashboard (test/manifests/grafana-dashboard.test.ts).
    expect(objs.filter((o) => o.kind === 'ConfigMap').map((o) => Object.keys(o.data as object))).toEqual(
      expect.arrayContaining([['session-ttl.yaml'], ['session-ttl-bot.json']]),
    );
    expect(objs.filter((o) => o.kind === 'ConfigMap')).toHaveLength(2);
    expect(new Set(objs.map((o) => o.metadata.namespace)).size).toBe(1);
    expect(
      objs.some((o) => o.kind === 'Secret'),
      'secrets are applied by hand, never rendered',
    ).toBe(false);
  });

  it('runs under Pod Security "restricted" with probes on /healthz and /readyz and a grace period longer than the drain', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.securityContext.capabilities.add).toBeUndefined();
    expect(pod.hostNetwork ?? false).toBe(false);
    const port = container.ports.find((p: Obj) => p.name === 'http');
    expect(port.containerPort).toBe(3000);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
    // Shutdown's whole budget (grace + last words, src/host/shutdown-deadline.ts) ends before the kubelet's
    // SIGKILL, with a margin for the process to exit; and the pod is not kept much longer than that.
    const grace = container.env.find((e: Obj) => e.name === 'SHUTDOWN_GRACE_SECONDS')?.value;
    const budgetSeconds = (grace ? Number(grace) * 1000 : DEFAULT_GRACE_MS) / 1000 + DEFAULT_LAST_WORDS_MS / 1000;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(budgetSeconds + 5);
    expect(pod.terminationGracePeriodSeconds).toBeLessThanOrEqual(budgetSeconds + 15);
  });

  it('mounts a generated config that the bot accepts, at SESSION_TTL_CONFIG', () => {
    const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e]));
    const mount = container.volumeMounts.find((m: Obj) => env.SESSION_TTL_CONFIG.value.startsWith(`${m.mountPath}/`));
    const volume = pod.volumes.find((v: Obj) => v.name === mount.name);
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name)!;
    const config = parseConfig(parse(cm.data['session-ttl.yaml']), `${overlay} ConfigMap`);
    for (const e of Object.values(config.environments)) expect(e.monitor.enabled).toBe(true);
    // The example environment is named as the overlay, as the README's commands name it (/session-ttl diagnose prod).
    expect(Object.keys(config.environments)).toEqual([overlay]);
    // The bot knows how many replicas run (it refuses more than one without a state Redis).
    expect(env.EXPECTED_REPLICAS.value).toBe(String(deploy.spec.replicas ?? 1));
    if (deploy.spec.replicas > 1) {
      // Required: a missing Secret stops the pod from starting rather than running replicas on memory state.
      expect(env.STATE_REDIS_URL.valueFrom.secretKeyRef).toMatchObject({ name: 'session-ttl-bot-state', key: 'url' });
      expect(env.STATE_REDIS_URL.valueFrom.secretKeyRef.optional ?? false).toBe(false);
    }
    for (const secret of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'ALERTMANAGER_TOKEN'])
      expect(env[secret].value).toBeUndefined();
  });

  it('the Role grants exactly the accesses the code makes, on the objects the config names, and no other verb', () => {
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.data['session-ttl.yaml'])!;
    const config = parseConfig(parse(cm.data['session-ttl.yaml']), overlay);
    const k = Object.values(config.environments)
      .map((e) => e.kubernetes)
      .find((x) => x && !isManifestSource(x))!;
    const names: Record<string, string[]> = {
      configmaps: [k.appConfigMap, k.redisConfigMap].sort(),
      deployments: [deploymentFromSelector(k.appSelector)!, deploymentFromSelector(k.redisSelector)!].sort(),
    };
    const role = one(objs, 'Role');
    const grants = role.rules.flatMap((r: Obj) =>
      (r.apiGroups as string[]).flatMap((g) =>
        (r.resources as string[]).flatMap((res) =>
          (r.verbs as string[]).map(
            (v) => `${g} ${res} ${v}${r.resourceNames ? ` [${[...r.resourceNames].sort().join(',')}]` : ''}`,
          ),
        ),
      ),
    );
    const used = API_ACCESS.map(
      (a) => `${a.group} ${a.resource} ${a.verb}${a.named ? ` [${names[a.resource]!.join(',')}]` : ''}`,
    );
    expect([...grants].sort()).toEqual([...used].sort());
    const binding = one(objs, 'RoleBinding');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: deploy.metadata.namespace },
    ]);
  });

  it('Service, ServiceMonitor and NetworkPolicy reach /metrics on the pod', () => {
    const podLabels = deploy.spec.template.metadata.labels;
    const service = one(objs, 'Service');
    expect(podLabels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0].targetPort).toBe('http');
    const monitor = one(objs, 'ServiceMonitor');
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: service.spec.ports[0].name, path: '/metrics' });
    const policy = one(objs, 'NetworkPolicy');
    expect(podLabels).toMatchObject(policy.spec.podSelector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress.flatMap((r: Obj) => r.ports.map((p: Obj) => p.port))).toEqual([3000]);
    const egress = policy.spec.egress.flatMap((r: Obj) => r.ports.map((p: Obj) => p.port));
    for (const p of [53, 6379, 443]) expect(egress).toContain(p);
  });

  it("the PrometheusRule carries the runbook's SessionTTLViolations and rules on the bot's health, over metrics the bot exports", async () => {
    const rules = one(objs, 'PrometheusRule').spec.groups.flatMap((g: Obj) => g.rules) as Obj[];
    const violations = rules.find((r) => r.alert === 'SessionTTLViolations')!;
    expect(violations.expr.trim()).toBe('rate(session_ttl_violations_total[10m]) > 0');
    expect(violations.for).toBe('5m');
    expect(violations.annotations.runbook_url).toMatch(/#monitoring$/);
    expect(readFileSync('README.md', 'utf8')).toMatch(/^## Monitoring$/m);
    expect(rules.length).toBeGreaterThanOrEqual(4);
    const registry = new Registry();
    monitorMetrics(registry);
    checkMetrics(registry);
    slackMetrics(registry);
    commandMetrics(registry);
    const exported = (await registry.getMetricsAsJSON()).map((m) => m.name);
    for (const rule of rules) {
      for (const name of rule.expr.match(/\bsession_[a-z_]+/g) ?? [])
        expect(exported, `${rule.alert} uses ${name}`).toContain(name);
    }
  });
});

describe('kubectl kustomize manifests/overlays/prod: replicas (issue 19)', () => {
  const objs = rendered.get('prod')!;
  const deploy = one(objs, 'Deployment');
  const podLabels = deploy.spec.template.metadata.labels as Record<string, string>;
  const env = Object.fromEntries(deploy.spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e]));

  it('runs three replicas over the required state Redis, and tells the bot so', () => {
    expect(deploy.spec.replicas).toBe(3);
    expect(env.EXPECTED_REPLICAS).toEqual({ name: 'EXPECTED_REPLICAS', value: '3' });
    expect(env.STATE_REDIS_URL.valueFrom.secretKeyRef).toEqual({
      name: 'session-ttl-bot-state',
      key: 'url',
      optional: false,
    });
  });

  it('keeps two replicas up through a voluntary disruption: a PodDisruptionBudget selecting the pods', () => {
    const pdb = one(objs, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(2);
    expect(pdb.spec.maxUnavailable).toBeUndefined();
    expect(pdb.metadata.namespace).toBe(deploy.metadata.namespace);
    expect(podLabels).toMatchObject(pdb.spec.selector.matchLabels);
    // It selects the bot's pods and nothing else in the namespace: the Deployment's selector is the same.
    expect(pdb.spec.selector).toEqual(deploy.spec.selector);
  });

  it('spreads the replicas across nodes', () => {
    const constraints = deploy.spec.template.spec.topologySpreadConstraints as Obj[];
    const byNode = constraints.filter((c) => c.topologyKey === 'kubernetes.io/hostname');
    expect(byNode).toHaveLength(1);
    expect(byNode[0]).toMatchObject({
      maxSkew: 1,
      whenUnsatisfiable: expect.stringMatching(/^(ScheduleAnyway|DoNotSchedule)$/),
    });
    expect(podLabels).toMatchObject(byNode[0]!.labelSelector.matchLabels);
  });
});

describe('manifests/bot/secret.example.yaml', () => {
  it('is an example with no values, outside the kustomization', () => {
    const secrets = parseAllDocuments(readFileSync('manifests/bot/secret.example.yaml', 'utf8')).map(
      (d) => d.toJS() as Obj,
    );
    for (const s of secrets) for (const v of Object.values(s.stringData as Record<string, string>)) expect(v).toBe('');
    expect(readFileSync('manifests/bot/kustomization.yaml', 'utf8')).not.toMatch(/^\s*-\s*secret/m);
  });
});
