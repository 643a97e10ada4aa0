import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/core/ports/cluster.js';
import { createKubernetesCluster, loadKubeConfig } from '../../src/adapters/kubernetes/kubernetes-cluster.js';
import { configMapObject, podObject, startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.js';
import { clusterError } from './expect-cluster-error.js';

const NS = 'langgraph-agent';
let kube: FakeKubeApi;

beforeAll(async () => {
  kube = await startFakeKubeApi({ namespace: NS });
});
afterAll(async () => {
  await kube.stop();
});
afterEach(() => {
  kube.clearFaults();
  kube.setDelay(0);
  kube.setPods([]);
  kube.deleteConfigMap('langgraph-agent-config');
  kube.requests.length = 0;
});

const cluster = (opts: { requestTimeoutMs?: number; now?: () => number; token?: string } = {}) =>
  createKubernetesCluster({
    kubeConfig: kube.kubeConfig(opts.token ? { token: opts.token } : {}),
    namespace: NS,
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });

describe('createKubernetesCluster against the fake API server', () => {
  it('reads a ConfigMap with its data and last change time, sending the bearer token', async () => {
    kube.setConfigMap(
      configMapObject({
        name: 'langgraph-agent-config',
        data: { session_ttl_seconds: '86400', session_sliding_window: 'true' },
        createdAt: '2026-09-01T12:00:00Z',
        changedAt: '2026-11-20T09:00:00Z',
      }),
    );
    const cm = await cluster().readConfigMap('langgraph-agent-config');
    expect(cm).toEqual({
      name: 'langgraph-agent-config',
      namespace: NS,
      data: { session_ttl_seconds: '86400', session_sliding_window: 'true' },
      lastChangedAt: Date.parse('2026-11-20T09:00:00Z'),
    });
    const req = kube.requests.at(-1)!;
    expect(req.path).toBe(`/api/v1/namespaces/${NS}/configmaps/langgraph-agent-config`);
    expect(req.headers.authorization).toBe(`Bearer ${kube.token}`);
  });

  it('falls back to creationTimestamp when a ConfigMap has no managedFields', async () => {
    kube.setConfigMap(configMapObject({ name: 'langgraph-agent-config', createdAt: '2026-03-04T05:06:07Z' }));
    const cm = await cluster().readConfigMap('langgraph-agent-config');
    expect(cm?.lastChangedAt).toBe(Date.parse('2026-03-04T05:06:07Z'));
  });

  it('returns undefined for a ConfigMap that does not exist (404)', async () => {
    expect(await cluster().readConfigMap('langgraph-agent-config')).toBeUndefined();
  });

  it('lists pods by label selector with env, envFrom and start times', async () => {
    kube.setPods([
      podObject({
        name: 'agent-1',
        startedAt: '2026-11-18T08:00:00Z',
        containers: [
          {
            name: 'agent',
            envFrom: ['langgraph-agent-config'],
            env: {
              SESSION_TTL_SECONDS: '3600',
              TTL_FROM_CM: { configMap: 'langgraph-agent-config', key: 'session_ttl_seconds' },
            },
            startedAt: '2026-11-18T08:00:05Z',
          },
          { name: 'sidecar' },
        ],
      }),
      podObject({ name: 'redis-1', labels: { app: 'redis-session' }, containers: [{ name: 'redis' }] }),
    ]);
    const pods = await cluster().listPods('app=langgraph-agent');
    expect(kube.requests.at(-1)?.query.labelSelector).toBe('app=langgraph-agent');
    expect(pods).toEqual([
      {
        name: 'agent-1',
        startedAt: Date.parse('2026-11-18T08:00:00Z'),
        containers: [
          {
            name: 'agent',
            env: [
              { name: 'SESSION_TTL_SECONDS', value: '3600' },
              { name: 'TTL_FROM_CM', configMapKeyRef: { name: 'langgraph-agent-config', key: 'session_ttl_seconds' } },
            ],
            envFromConfigMaps: ['langgraph-agent-config'],
            startedAt: Date.parse('2026-11-18T08:00:05Z'),
          },
          { name: 'sidecar', env: [], envFromConfigMaps: [] },
        ],
      },
    ]);
  });

  it('concatenates the log tails of all containers of a pod', async () => {
    kube.setPods([podObject({ name: 'agent-1', containers: [{ name: 'agent' }, { name: 'sidecar' }] })]);
    kube.setPodLog('agent-1', 'a1\na2\na3\n', 'agent');
    kube.setPodLog('agent-1', 's1', 'sidecar');
    const logs = await cluster().podLogs('agent-1', 2);
    expect(logs).toBe('a2\na3\ns1\n');
    const logRequests = kube.requests.filter((r) => r.path.endsWith('/log'));
    expect(logRequests.map((r) => [r.query.container, r.query.tailLines])).toEqual([
      ['agent', '2'],
      ['sidecar', '2'],
    ]);
  });

  it('returns empty logs for a pod that is gone', async () => {
    expect(await cluster().podLogs('no-such-pod', 10)).toBe('');
  });

  it("reports the API server's clock from its Date header", async () => {
    const serverNow = Date.parse('2030-01-02T03:04:05Z');
    const skewed = await startFakeKubeApi({ namespace: NS, now: () => serverNow });
    try {
      let t = 1_000_000;
      const c = createKubernetesCluster({ kubeConfig: skewed.kubeConfig(), namespace: NS, now: () => t });
      expect(await c.serverTime()).toBe(serverNow);
      expect(skewed.requests.map((r) => r.path)).toEqual(['/version']);
      // A Date seen moments ago is reused, advanced by the local clock, without another request.
      t += 2000;
      expect(await c.serverTime()).toBe(serverNow + 2000);
      expect(skewed.requests).toHaveLength(1);
    } finally {
      await skewed.stop();
    }
  });

  describe('failures become ClusterError', () => {
    it('403 is forbidden, names verb, resource and namespace, includes the API message and the RBAC to grant', async () => {
      kube.failNext(403);
      const err = await clusterError(cluster().readConfigMap('langgraph-agent-config'));
      expect(err.kind).toBe('forbidden');
      expect(err.status).toBe(403);
      expect(err.message).toContain(`get configmaps "langgraph-agent-config" in namespace "${NS}"`);
      expect(err.message).toContain('cannot get resource "configmaps"'); // the API server's own words
      expect(err.message).toContain('manifests/bot/rbac.yaml');
      expect(err.message).not.toContain(kube.token);
    });

    it('403 on listing pods asks for list on pods', async () => {
      kube.failNext(403);
      const err = await clusterError(cluster().listPods('app=langgraph-agent'));
      expect(err.kind).toBe('forbidden');
      expect(err.message).toContain('"list" on pods');
    });

    it('401 (bad token) is forbidden and never echoes the token', async () => {
      const wrong = 'sekrit-wrong-token-123';
      const err = await clusterError(cluster({ token: wrong }).listPods('app=langgraph-agent'));
      expect(err.kind).toBe('forbidden');
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/credentials/);
      expect(err.message).not.toContain(wrong);
      expect(kube.requests.at(-1)?.headers.authorization).toBe(`Bearer ${wrong}`);
    });

    it('500 is server_error with the status', async () => {
      kube.failAll(500);
      const err = await clusterError(cluster().listPods('app=langgraph-agent'));
      expect(err.kind).toBe('server_error');
      expect(err.status).toBe(500);
      expect(err.message).toContain('HTTP 500');
      expect(err.message).toContain('etcdserver');
    });

    it('a reply without the expected shape is invalid', async () => {
      kube.failNext(200, { kind: 'PodList', items: [{ metadata: { name: 'p' }, spec: { containers: 'nope' } }] });
      const err = await clusterError(cluster().listPods('app=langgraph-agent'));
      expect(err.kind).toBe('invalid');
      expect(err.message).toMatch(/malformed/);
    });

    it('a reply that is not JSON is invalid', async () => {
      kube.failNext(200, '<html>proxy login</html>', 'application/json');
      const err = await clusterError(cluster().readConfigMap('langgraph-agent-config'));
      expect(err.kind).toBe('invalid');
    });

    it('a slow API server is unreachable after requestTimeoutMs', async () => {
      kube.setDelay(500);
      const err = await clusterError(cluster({ requestTimeoutMs: 100 }).listPods('app=langgraph-agent'));
      expect(err.kind).toBe('unreachable');
      expect(err.message).toContain('100 ms');
    });

    it('connection refused is unreachable and names the server, not the token', async () => {
      const gone = await startFakeKubeApi({ namespace: NS });
      const kc = gone.kubeConfig();
      await gone.stop();
      const c = createKubernetesCluster({ kubeConfig: kc, namespace: NS });
      const err = await clusterError(c.readConfigMap('langgraph-agent-config'));
      expect(err.kind).toBe('unreachable');
      expect(err.message).toContain('ECONNREFUSED');
      expect(err.message).toContain(gone.url);
      expect(err.message).not.toContain(gone.token);
    });
  });
});

describe('loadKubeConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const writeKubeconfig = (server: string) => {
    const path = join(dir, 'config');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: fake\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
        'users:',
        `- name: bot\n  user:\n    token: ${kube.token}`,
        'contexts:',
        '- name: staging\n  context:\n    cluster: fake\n    user: bot',
        '- name: prod\n  context:\n    cluster: fake\n    user: bot',
        'current-context: staging',
      ].join('\n'),
    );
    return path;
  };

  it('loads a kubeconfig file and switches to the named context', async () => {
    const kc = loadKubeConfig({ kubeconfig: writeKubeconfig(kube.url), context: 'prod' });
    expect(kc.getCurrentContext()).toBe('prod');
    kube.setConfigMap(configMapObject({ name: 'langgraph-agent-config', data: { session_ttl_seconds: '1' } }));
    const c = createKubernetesCluster({ kubeConfig: kc, namespace: NS });
    expect((await c.readConfigMap('langgraph-agent-config'))?.data).toEqual({ session_ttl_seconds: '1' });
    expect(c.description).toContain('prod');
  });

  it('names a missing kubeconfig file', () => {
    const missing = join(dir, 'nope.yaml');
    expect(() => loadKubeConfig({ kubeconfig: missing })).toThrow(ClusterError);
    expect(() => loadKubeConfig({ kubeconfig: missing })).toThrow(`kubeconfig file ${missing} does not exist`);
  });

  it('names a missing context and lists the known ones', () => {
    const path = writeKubeconfig(kube.url);
    expect(() => loadKubeConfig({ kubeconfig: path, context: 'qa' })).toThrow(
      /context "qa" not found .*known contexts: staging, prod/,
    );
  });

  it('explains what to set when there is neither a kubeconfig nor an in-cluster service account', () => {
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      expect(() => loadKubeConfig({})).toThrow(/set kubernetes\.kubeconfig/);
    } finally {
      if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });
});
