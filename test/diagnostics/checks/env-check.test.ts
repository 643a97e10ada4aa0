import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterFromConfig } from '../../../src/adapters/kubernetes/cluster-from-config.js';
import { createKubernetesCluster } from '../../../src/adapters/kubernetes/kubernetes-cluster.js';
import { parseConfig, type Config } from '../../../src/config/config.js';
import { runDiagnosis } from '../../../src/diagnostics/engine.js';
import { envCheck } from '../../../src/diagnostics/checks/env-check.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import type { Finding, Report } from '../../../src/diagnostics/types.js';
import {
  configMapObject,
  podObject,
  startFakeKubeApi,
  type ContainerSpec,
  type FakeKubeApi,
} from '../../fakes/kube-api.js';

const NS = 'langgraph-agent';
const CM = 'langgraph-agent-config';
const CHANGED = '2026-11-20T09:00:00Z';
const AFTER = '2026-11-20T10:30:00Z';
const BEFORE = '2026-11-18T08:00:00Z';
const ENV_IDS = [
  'config.missing_key',
  'config.ttl_not_expected',
  'config.configmap_not_referenced',
  'config.env_override_mismatch',
  'config.stale_pods',
  'config.no_pods',
];

let kube: FakeKubeApi;

beforeAll(async () => {
  kube = await startFakeKubeApi({ namespace: NS });
});
afterAll(async () => {
  await kube.stop();
});

function config(kubernetes: Record<string, unknown>, profile = 'production'): Config {
  return parseConfig(
    { environments: { prod: { profile, redis: { url: 'redis://127.0.0.1:1' }, kubernetes } } },
    'test',
  );
}

/** Runs only env-check through the real engine, against the fake API server via the real client-node. */
async function diagnose(opts: { profile?: string; requestTimeoutMs?: number } = {}): Promise<Report> {
  const cfg = config({ kubeconfig: '/unused', namespace: NS }, opts.profile);
  const cluster = createKubernetesCluster({
    kubeConfig: kube.kubeConfig(),
    namespace: NS,
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
  });
  return runDiagnosis(
    { config: cfg, registry: createCheckRegistry([envCheck]), sourcesFor: () => ({ cluster }) },
    { envName: 'prod' },
  );
}

const ids = (r: Report) => r.findings.map((f) => f.id);
const find = (r: Report, id: string): Finding => {
  const f = r.findings.find((x) => x.id === id);
  expect(f, `finding ${id} in ${JSON.stringify(ids(r))}`).toBeDefined();
  return f as Finding;
};

const appContainer = (extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name: 'agent',
  envFrom: [CM],
  env: { REDIS_HOST: 'redis-session' },
  startedAt: AFTER,
  ...extra,
});

/** The healthy cluster: expected TTL, taken via envFrom, no overrides, pods started after the change. */
function plantHealthy() {
  kube.clearFaults();
  kube.setConfigMap(
    configMapObject({
      name: CM,
      data: { session_ttl_seconds: '86400', session_sliding_window: 'true' },
      createdAt: '2026-09-01T12:00:00Z',
      changedAt: CHANGED,
    }),
  );
  kube.setPods([
    podObject({ name: 'agent-a', startedAt: AFTER, containers: [appContainer()] }),
    podObject({ name: 'agent-b', startedAt: AFTER, containers: [appContainer()] }),
    podObject({
      name: 'redis-0',
      labels: { app: 'redis-session' },
      startedAt: BEFORE,
      containers: [{ name: 'redis' }],
    }),
  ]);
}

beforeEach(plantHealthy);

describe('env-check on a healthy cluster', () => {
  it('raises nothing and reports ok', async () => {
    const report = await diagnose();
    expect(report.checks).toEqual([expect.objectContaining({ id: 'env-check', status: 'ok' })]);
    expect(report.findings).toEqual([]);
  });

  it('raises nothing when the TTL comes through a configMapKeyRef', async () => {
    kube.setPods([
      podObject({
        name: 'agent-a',
        startedAt: AFTER,
        containers: [
          {
            name: 'agent',
            env: { SESSION_TTL_SECONDS: { configMap: CM, key: 'session_ttl_seconds' } },
            startedAt: AFTER,
          },
        ],
      }),
    ]);
    expect(ids(await diagnose())).toEqual([]);
  });

  it('raises nothing when an explicit SESSION_TTL_SECONDS equals the ConfigMap value', async () => {
    kube.setPods([
      podObject({ name: 'agent-a', containers: [appContainer({ env: { SESSION_TTL_SECONDS: '86400' } })] }),
    ]);
    expect(ids(await diagnose())).toEqual([]);
  });
});

describe('env-check findings on planted faults', () => {
  it('config.missing_key: the ConfigMap does not exist', async () => {
    kube.deleteConfigMap(CM);
    const f = find(await diagnose(), 'config.missing_key');
    expect(f.severity).toBe('critical');
    expect(f.title).toContain('does not exist');
    expect(f.evidence).toMatchObject({ configMap: CM, exists: false, namespace: NS });
    expect(f.fix).toContain(`kubectl create configmap ${CM} -n ${NS} --from-literal=session_ttl_seconds=86400`);
  });

  it('config.missing_key: the ConfigMap lacks session_ttl_seconds', async () => {
    kube.setConfigMap(configMapObject({ name: CM, data: { session_sliding_window: 'true' }, changedAt: CHANGED }));
    const f = find(await diagnose(), 'config.missing_key');
    expect(f.title).toContain('has no session_ttl_seconds');
    expect(f.evidence).toMatchObject({ exists: true, keys: ['session_sliding_window'] });
    expect(f.fix).toContain(`kubectl patch configmap ${CM} -n ${NS}`);
  });

  it('config.ttl_not_expected: lower than expected is critical', async () => {
    kube.setConfigMap(configMapObject({ name: CM, data: { session_ttl_seconds: '3600' }, changedAt: CHANGED }));
    const report = await diagnose();
    const f = find(report, 'config.ttl_not_expected');
    expect(f.severity).toBe('critical');
    expect(f.evidence).toMatchObject({ configuredTtlSeconds: 3600, expectedTtlSeconds: 86400 });
    expect(f.title).toContain('3600 (1 h), expected 86400 (1 d)');
    expect(ids(report)).not.toContain('config.missing_key');
  });

  it('config.ttl_not_expected: higher than expected is a warning', async () => {
    kube.setConfigMap(configMapObject({ name: CM, data: { session_ttl_seconds: '604800' }, changedAt: CHANGED }));
    expect(find(await diagnose(), 'config.ttl_not_expected').severity).toBe('warning');
  });

  it('config.ttl_not_expected: a value that is not a positive integer is named', async () => {
    for (const bad of ['24h', '-5', '0', '']) {
      kube.setConfigMap(configMapObject({ name: CM, data: { session_ttl_seconds: bad }, changedAt: CHANGED }));
      const f = find(await diagnose(), 'config.ttl_not_expected');
      expect(f.severity).toBe('critical');
      expect(f.title).toContain(`"${bad}", not a positive whole number`);
    }
  });

  it('the expected TTL follows the profile', async () => {
    kube.setConfigMap(configMapObject({ name: CM, data: { session_ttl_seconds: '3600' }, changedAt: CHANGED }));
    expect(ids(await diagnose({ profile: 'development' }))).toEqual([]);
  });

  it('config.configmap_not_referenced: no container takes env from the ConfigMap', async () => {
    kube.setPods([
      podObject({ name: 'agent-a', containers: [appContainer({ envFrom: [] })] }),
      podObject({ name: 'agent-b', containers: [appContainer()] }),
    ]);
    const f = find(await diagnose(), 'config.configmap_not_referenced');
    expect(f.severity).toBe('warning');
    expect(f.evidence).toMatchObject({ pods: ['agent-a'], podsChecked: 2, configMap: CM });
    expect(f.fix).toContain('envFrom');
  });

  it('config.env_override_mismatch: a lower explicit value is critical and names pod, container, var and values', async () => {
    kube.setPods([
      podObject({ name: 'agent-a', containers: [appContainer()] }),
      podObject({ name: 'agent-b', containers: [appContainer({ env: { SESSION_TTL_SECONDS: '3600' } })] }),
      podObject({ name: 'agent-c', containers: [appContainer({ env: { SESSION_TTL_SECONDS: '3600' } })] }),
    ]);
    const report = await diagnose();
    const overrides = report.findings.filter((f) => f.id === 'config.env_override_mismatch');
    expect(overrides).toHaveLength(1); // one per container/var/value, not per replica
    const f = overrides[0]!;
    expect(f.severity).toBe('critical');
    expect(f.evidence).toMatchObject({
      pods: ['agent-b', 'agent-c'],
      container: 'agent',
      variable: 'SESSION_TTL_SECONDS',
      value: '3600',
      configMapTtlSeconds: 86400,
    });
    expect(f.title).toBe("SESSION_TTL_SECONDS=3600 in container agent overrides the ConfigMap's 86400");
    expect(f.fix).toContain(
      'kubectl set env deployment/langgraph-agent -n langgraph-agent -c agent SESSION_TTL_SECONDS-',
    );
  });

  it('config.env_override_mismatch: a higher explicit value is a warning', async () => {
    kube.setPods([podObject({ name: 'agent-a', containers: [appContainer({ env: { SESSION_TTL: '999999' } })] })]);
    const f = find(await diagnose(), 'config.env_override_mismatch');
    expect(f.severity).toBe('warning');
    expect(f.evidence).toMatchObject({ variable: 'SESSION_TTL', value: '999999' });
  });

  it('config.stale_pods: pods started before the ConfigMap changed, with the restart command', async () => {
    kube.setPods([
      podObject({ name: 'agent-old', startedAt: BEFORE, containers: [appContainer({ startedAt: BEFORE })] }),
      podObject({ name: 'agent-new', startedAt: AFTER, containers: [appContainer()] }),
    ]);
    const f = find(await diagnose(), 'config.stale_pods');
    expect(f.severity).toBe('warning');
    expect(f.evidence).toMatchObject({
      configMapChangedAt: CHANGED.replace('Z', '.000Z'),
      stale: [{ pod: 'agent-old', container: 'agent', startedAt: '2026-11-18T08:00:00.000Z' }],
    });
    expect(f.fix).toBe('kubectl rollout restart deployment/langgraph-agent -n langgraph-agent');
  });

  it('config.stale_pods: a container restarted after the change is current even in an old pod', async () => {
    kube.setPods([
      podObject({ name: 'agent-old', startedAt: BEFORE, containers: [appContainer({ startedAt: AFTER })] }),
    ]);
    expect(ids(await diagnose())).toEqual([]);
  });

  it('config.no_pods: nothing matches the selector', async () => {
    kube.setPods([]);
    const report = await diagnose();
    const f = find(report, 'config.no_pods');
    expect(f.evidence).toMatchObject({ selector: 'app=langgraph-agent', namespace: NS });
    expect(ids(report)).toEqual(['config.no_pods']);
  });
});

describe('env-check when the Kubernetes API fails', () => {
  it('403 gives status error and an actionable kubernetes.forbidden finding, without the token', async () => {
    kube.failAll(403);
    const report = await diagnose();
    expect(report.checks[0]).toMatchObject({ id: 'env-check', status: 'error' });
    expect(report.checks[0]?.message).toMatch(
      /denied .* \(403 Forbidden: .*cannot .*\)\. Grant the bot's service account/,
    );
    const f = find(report, 'kubernetes.forbidden');
    expect(f.check).toBe('env-check');
    expect(f.fix).toContain('manifests/bot/rbac.yaml');
    expect(ids(report).filter((i) => ENV_IDS.includes(i))).toEqual([]);
    expect(JSON.stringify(report)).not.toContain(kube.token);
  });

  it('500 gives status error and kubernetes.unreachable', async () => {
    kube.failAll(500);
    const report = await diagnose();
    expect(report.checks[0]?.status).toBe('error');
    expect(find(report, 'kubernetes.unreachable').evidence).toEqual({ status: 500 });
    expect(report.checks[0]?.message).toContain('HTTP 500');
  });

  it('connection refused gives kubernetes.unreachable', async () => {
    const gone = await startFakeKubeApi({ namespace: NS });
    const kubeConfig = gone.kubeConfig();
    await gone.stop();
    const cluster = createKubernetesCluster({ kubeConfig, namespace: NS });
    const report = await runDiagnosis(
      {
        config: config({ kubeconfig: '/unused', namespace: NS }),
        registry: createCheckRegistry([envCheck]),
        sourcesFor: () => ({ cluster }),
      },
      { envName: 'prod' },
    );
    expect(report.checks[0]?.status).toBe('error');
    expect(report.checks[0]?.message).toContain('ECONNREFUSED');
    expect(ids(report)).toEqual(['kubernetes.unreachable']);
    expect(JSON.stringify(report)).not.toContain(gone.token);
  });
});

describe('env-check on the demo manifests (profile production)', () => {
  it('raises config.stale_pods and config.env_override_mismatch, and nothing about the ConfigMap value', async () => {
    const cfg = config({ manifests: resolve('manifests/demo'), namespace: NS });
    const env = cfg.environments.prod!;
    const cluster = clusterFromConfig(env.kubernetes!);
    expect(cluster.description).toContain('manifests');
    const report = await runDiagnosis(
      { config: cfg, registry: createCheckRegistry([envCheck]), sourcesFor: () => ({ cluster }) },
      { envName: 'prod' },
    );
    expect(ids(report).sort()).toEqual(['config.env_override_mismatch', 'config.stale_pods']);
    expect(find(report, 'config.stale_pods').evidence).toMatchObject({
      stale: [{ pod: 'langgraph-agent-7d9f8b6c5-abcde', container: 'agent' }],
    });
    expect(find(report, 'config.env_override_mismatch')).toMatchObject({
      severity: 'critical',
      evidence: { pods: ['langgraph-agent-7d9f8b6c5-fghij'], variable: 'SESSION_TTL_SECONDS', value: '3600' },
    });
  });
});
