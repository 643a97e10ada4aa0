// What the writer reads for GitOps detection: labels and annotations, and whether an Argo CD Application exists.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClusterWriter } from '../../../src/adapters/kubernetes/cluster-writer.js';
import { configMapObject, deploymentObject, startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { clusterError } from '../expect-cluster-error.js';

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
  kube.forbidArgoApplications(false);
  kube.requests.length = 0;
});

const writer = () => createClusterWriter({ kubeConfig: kube.kubeConfig(), namespace: NS });

describe('createClusterWriter: what GitOps controllers write on objects', () => {
  it('reads the labels and annotations of a ConfigMap (empty when it has none) and of a Deployment', async () => {
    const annotations = { 'argocd.argoproj.io/tracking-id': `sessions:/ConfigMap:${NS}/redis-session-config` };
    const labels = { 'app.kubernetes.io/instance': 'sessions' };
    kube.setConfigMap(configMapObject({ name: 'redis-session-config', data: { a: 'b' }, labels, annotations }));
    kube.setConfigMap(configMapObject({ name: 'plain', data: {} }));
    kube.setDeployment({ ...deploymentObject({ name: 'redis-session' }), metadata: { name: 'redis-session', labels } });
    const w = writer();
    expect(await w.readConfigMap('redis-session-config')).toMatchObject({ data: { a: 'b' }, labels, annotations });
    expect(await w.readConfigMap('plain')).toMatchObject({ labels: {}, annotations: {} });
    expect(await w.readDeployment('redis-session')).toMatchObject({ labels, annotations: {} });
  });

  it('tells whether an Argo CD Application exists, in the namespace asked', async () => {
    kube.setArgoApplication('sessions', 'argocd');
    const w = writer();
    expect(await w.argoApplicationExists('argocd', 'sessions')).toBe(true);
    expect(await w.argoApplicationExists('argocd', 'other')).toBe(false);
    expect(await w.argoApplicationExists('gitops', 'sessions')).toBe(false);
    expect(kube.requests.map((r) => r.path)).toContain(
      '/apis/argoproj.io/v1alpha1/namespaces/gitops/applications/sessions',
    );
  });

  it('fails with forbidden on 403, naming the Argo CD namespace, and with server_error on 5xx', async () => {
    kube.setArgoApplication('sessions');
    kube.forbidArgoApplications();
    const w = writer();
    const denied = await clusterError(w.argoApplicationExists('argocd', 'sessions'));
    expect(denied.kind).toBe('forbidden');
    expect(denied.message).toMatch(/get applications\.argoproj\.io "sessions" in namespace "argocd" \(403 Forbidden/);
    kube.forbidArgoApplications(false);
    kube.failNextOn('GET', '/applications/sessions', 503);
    expect((await clusterError(w.argoApplicationExists('argocd', 'sessions'))).kind).toBe('server_error');
  });
});
