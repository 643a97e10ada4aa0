import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClusterWriter } from '../../../src/adapters/kubernetes/cluster-writer.js';
import { configMapObject, deploymentObject, startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { clusterError } from '../expect-cluster-error.js';

const NS = 'langgraph-agent';
const CM = 'redis-session-config';
let kube: FakeKubeApi;

beforeAll(async () => {
  kube = await startFakeKubeApi({ namespace: NS });
});
afterAll(async () => {
  await kube.stop();
});
afterEach(() => {
  kube.clearFaults();
  kube.setAccess(() => true);
  kube.requests.length = 0;
});

/** A writer on a fake clock: each wait between polls advances it, so deadlines need no real time. */
function writer(pollIntervalMs = 1000) {
  const clock = { t: 1_000_000 };
  const w = createClusterWriter({
    kubeConfig: kube.kubeConfig(),
    namespace: NS,
    pollIntervalMs,
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
  });
  return { w, clock };
}

describe('createClusterWriter: ConfigMaps', () => {
  it('reads data and resourceVersion, and patches one key as a JSON merge patch with that resourceVersion', async () => {
    kube.setConfigMap(configMapObject({ name: CM, data: { 'redis.conf': 'maxmemory 1mb\n', other: 'x' } }));
    const { w } = writer();
    const cm = await w.readConfigMap(CM);
    expect(cm?.data).toEqual({ 'redis.conf': 'maxmemory 1mb\n', other: 'x' });
    const { resourceVersion } = await w.patchConfigMapKey(CM, 'redis.conf', 'maxmemory 2mb\n', cm!.resourceVersion);
    expect(resourceVersion).not.toBe(cm!.resourceVersion);
    const patch = kube.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.headers['content-type']).toBe('application/merge-patch+json');
    expect(patch.body).toEqual({
      metadata: { resourceVersion: cm!.resourceVersion },
      data: { 'redis.conf': 'maxmemory 2mb\n' },
    });
    expect(kube.getConfigMap(CM)!.data).toEqual({ 'redis.conf': 'maxmemory 2mb\n', other: 'x' });
  });

  it('answers undefined for a missing ConfigMap', async () => {
    expect(await writer().w.readConfigMap('nope')).toBeUndefined();
  });

  it('fails with conflict when the ConfigMap moved since it was read, and leaves it alone', async () => {
    kube.setConfigMap(configMapObject({ name: CM, data: { 'redis.conf': 'a\n' } }));
    const { w } = writer();
    const cm = await w.readConfigMap(CM);
    kube.setConfigMap({
      ...kube.getConfigMap(CM)!,
      data: { 'redis.conf': 'b\n' },
      metadata: { ...kube.getConfigMap(CM)!.metadata, resourceVersion: undefined },
    });
    const err = await clusterError(w.patchConfigMapKey(CM, 'redis.conf', 'c\n', cm!.resourceVersion));
    expect(err.kind).toBe('conflict');
    expect(err.message).toMatch(/changed since the preview.*Review the action again/);
    expect(kube.getConfigMap(CM)!.data['redis.conf']).toBe('b\n');
  });

  it('names the verb, the object and the RBAC file on a 403', async () => {
    kube.setConfigMap(configMapObject({ name: CM, data: { 'redis.conf': 'a\n' } }));
    kube.failNext(403);
    const err = await clusterError(writer().w.patchConfigMapKey(CM, 'redis.conf', 'c\n', '1'));
    expect(err.kind).toBe('forbidden');
    expect(err.message).toMatch(
      /denied patch configmaps "redis-session-config" in namespace "langgraph-agent".*"patch" on configmaps "redis-session-config".*manifests\/bot\/rbac\.yaml/,
    );
  });

  it('types 5xx as server_error and a closed port as unreachable', async () => {
    kube.failNext(503);
    expect((await clusterError(writer().w.readConfigMap(CM))).kind).toBe('server_error');
    const gone = await startFakeKubeApi({ namespace: NS });
    const kc = gone.kubeConfig();
    await gone.stop();
    const err = await clusterError(createClusterWriter({ kubeConfig: kc, namespace: NS }).readConfigMap(CM));
    expect(err.kind).toBe('unreachable');
  });
});

describe('createClusterWriter: Deployments', () => {
  it('reads a Deployment: paused, replicas, memory limit of the first container', async () => {
    kube.setDeployment(deploymentObject({ name: 'redis-session', replicas: 1, memoryLimit: '512Mi', paused: true }));
    expect(await writer().w.readDeployment('redis-session')).toMatchObject({
      name: 'redis-session',
      paused: true,
      replicas: 1,
      memoryLimit: '512Mi',
    });
    expect(await writer().w.readDeployment('nope')).toBeUndefined();
  });

  it('restarts like kubectl rollout restart and follows the rollout to completion', async () => {
    kube.setDeployment(deploymentObject({ name: 'langgraph-agent', replicas: 2 }));
    kube.scriptRollout('langgraph-agent', { completeAfterPolls: 2 });
    const { w } = writer();
    const d = await w.readDeployment('langgraph-agent');
    const at = new Date('2026-12-01T10:00:00Z');
    await w.restartDeployment('langgraph-agent', d!.resourceVersion, at);
    const patch = kube.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.headers['content-type']).toBe('application/merge-patch+json');
    expect(patch.body).toEqual({
      metadata: { resourceVersion: d!.resourceVersion },
      spec: {
        template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-01T10:00:00.000Z' } } },
      },
    });
    const result = await w.waitForRollout('langgraph-agent', 1_000_000 + 60_000);
    expect(result.status).toBe('complete');
    expect(
      kube.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/deployments/langgraph-agent')),
    ).toHaveLength(4);
  });

  it('reports timed_out at the deadline when the rollout never completes', async () => {
    kube.setDeployment(deploymentObject({ name: 'langgraph-agent', replicas: 2 }));
    kube.scriptRollout('langgraph-agent', 'never');
    const { w, clock } = writer(1000);
    await w.restartDeployment(
      'langgraph-agent',
      (await w.readDeployment('langgraph-agent'))!.resourceVersion,
      new Date(),
    );
    const deadline = clock.t + 5_500;
    const result = await w.waitForRollout('langgraph-agent', deadline);
    expect(result.status).toBe('timed_out');
    expect(result.detail).toMatch(/0 of 2 new replicas have been updated/);
    expect(clock.t).toBe(deadline);
  });

  it('reports failed when the rollout exceeds its progress deadline', async () => {
    kube.setDeployment(deploymentObject({ name: 'langgraph-agent' }));
    kube.scriptRollout('langgraph-agent', 'fail');
    const { w } = writer();
    await w.restartDeployment(
      'langgraph-agent',
      (await w.readDeployment('langgraph-agent'))!.resourceVersion,
      new Date(),
    );
    expect((await w.waitForRollout('langgraph-agent', 2_000_000)).status).toBe('failed');
  });

  it('fails a restart with conflict when the Deployment moved', async () => {
    kube.setDeployment(deploymentObject({ name: 'langgraph-agent' }));
    const { w } = writer();
    const err = await clusterError(w.restartDeployment('langgraph-agent', 'stale', new Date()));
    expect(err.kind).toBe('conflict');
    expect(kube.getDeployment('langgraph-agent')!.spec.template.metadata.annotations).toBeUndefined();
  });
});

describe('createClusterWriter: canI', () => {
  it('asks a SelfSubjectAccessReview for the exact verb, group, resource and name', async () => {
    kube.setAccess((a) => !(a.verb === 'patch' && a.resource === 'deployments' && a.name === 'redis-session'));
    const { w } = writer();
    expect(await w.canI('patch', 'configmaps', CM)).toBe(true);
    expect(await w.canI('patch', 'deployments', 'redis-session')).toBe(false);
    expect(kube.requests.at(-1)!.body).toMatchObject({
      spec: {
        resourceAttributes: {
          namespace: NS,
          verb: 'patch',
          group: 'apps',
          resource: 'deployments',
          name: 'redis-session',
        },
      },
    });
  });
});
