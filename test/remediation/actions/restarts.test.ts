import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { enableSlidingWindow } from '../../../src/remediation/actions/enable-sliding-window.js';
import { rolloutRestart } from '../../../src/remediation/actions/rollout-restart.js';
import { deploymentObject, startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { sharedRedisUrl } from '../../support/shared-redis.js';
import { clusterError } from '../../adapters/expect-cluster-error.js';
import { APP_CM, harness, patches, seedCluster, type Harness } from './action-harness.js';

let kube: FakeKubeApi;
let h: Harness;

beforeAll(async () => {
  kube = await startFakeKubeApi();
});
afterAll(async () => {
  await kube.stop();
});
beforeEach(() => {
  seedCluster(kube);
  kube.requests.length = 0;
  h = harness(kube, sharedRedisUrl());
});
afterEach(async () => {
  kube.clearFaults();
  await h.close();
});

const restartedAt = (name: string) =>
  kube.getDeployment(name)!.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'];

describe('rollout-restart', () => {
  it('restarts like kubectl rollout restart and reports the completed rollout', async () => {
    const p = await rolloutRestart.plan(h.ctx, rolloutRestart.params.parse({ target: 'app' }));
    expect(p.changes).toEqual([expect.objectContaining({ kind: 'rollout-restart', deployment: 'langgraph-agent' })]);
    expect(restartedAt('langgraph-agent')).toBeUndefined();
    const outcome = await rolloutRestart.apply(h.ctx, p);
    expect(outcome.ok).toBe(true);
    expect(outcome.rollouts).toEqual([expect.objectContaining({ deployment: 'langgraph-agent', status: 'complete' })]);
    expect(restartedAt('langgraph-agent')).toBe('2026-12-01T10:00:00.000Z');
    expect(patches(kube)[0]!.headers['content-type']).toBe('application/merge-patch+json');
  });

  it('reports timed_out at the deadline when the rollout never completes', async () => {
    kube.scriptRollout('redis-session', 'never');
    const p = await rolloutRestart.plan(h.ctx, rolloutRestart.params.parse({ target: 'redis', timeoutSeconds: 30 }));
    const start = h.clock.t;
    const outcome = await rolloutRestart.apply(h.ctx, p);
    expect(outcome.ok).toBe(false);
    expect(outcome.rollouts).toEqual([expect.objectContaining({ deployment: 'redis-session', status: 'timed_out' })]);
    expect(h.clock.t - start).toBe(30_000);
    expect(p.risks.join('\n')).toMatch(/sessions are lost unless they are persisted/);
  });

  it('refuses a paused Deployment with a clear message', async () => {
    kube.setDeployment(deploymentObject({ name: 'langgraph-agent', paused: true }));
    const err = await rolloutRestart.plan(h.ctx, { target: 'app', timeoutSeconds: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/is paused .*kubectl rollout resume deployment\/langgraph-agent/);
    expect(patches(kube)).toEqual([]);
  });

  it('refuses when the Deployment was paused between the preview and the apply', async () => {
    const p = await rolloutRestart.plan(h.ctx, { target: 'app', timeoutSeconds: 60 });
    kube.setDeployment(deploymentObject({ name: 'langgraph-agent', paused: true }));
    await expect(rolloutRestart.apply(h.ctx, p)).rejects.toThrow(/is paused/);
    expect(patches(kube)).toEqual([]);
  });

  it('has nothing to revert', async () => {
    const p = await rolloutRestart.plan(h.ctx, { target: 'app', timeoutSeconds: 60 });
    const outcome = await rolloutRestart.apply(h.ctx, p);
    await expect(
      rolloutRestart.revert(h.ctx, { action: p.action, env: p.env, changes: outcome.applied }),
    ).rejects.toThrow(/Nothing to revert/);
  });
});

describe('enable-sliding-window', () => {
  it('sets the key, then restarts the app, and the revert sets it back and restarts again', async () => {
    const p = await enableSlidingWindow.plan(h.ctx, enableSlidingWindow.params.parse({}));
    expect(p.changes.map((c) => c.kind)).toEqual(['configmap', 'rollout-restart']);
    expect(p.changes[0]).toMatchObject({
      before: 'false',
      after: 'true',
      diff: ['-session_sliding_window: "false"', '+session_sliding_window: "true"'],
    });
    const outcome = await enableSlidingWindow.apply(h.ctx, p);
    expect(outcome).toMatchObject({ ok: true, rollouts: [{ deployment: 'langgraph-agent', status: 'complete' }] });
    expect(kube.getConfigMap(APP_CM)!.data).toEqual({ session_ttl_seconds: '86400', session_sliding_window: 'true' });
    expect(patches(kube)[0]!.body).toMatchObject({ data: { session_sliding_window: 'true' } });

    const back = await enableSlidingWindow.revert(h.ctx, { action: p.action, env: p.env, changes: outcome.applied });
    expect(back.ok).toBe(true);
    expect(kube.getConfigMap(APP_CM)!.data.session_sliding_window).toBe('false');
    expect(patches(kube).filter((r) => r.path.endsWith('/deployments/langgraph-agent'))).toHaveLength(2);
  });

  it('puts the ConfigMap back when the restart is refused (409), leaving nothing changed', async () => {
    const p = await enableSlidingWindow.plan(h.ctx, enableSlidingWindow.params.parse({}));
    kube.failNextOn('PATCH', '/deployments/langgraph-agent', 409);
    const err = await clusterError(enableSlidingWindow.apply(h.ctx, p));
    expect(err.kind).toBe('conflict');
    expect(kube.getConfigMap(APP_CM)!.data.session_sliding_window).toBe('false');
  });

  it('is a noop when the key is already "true"', async () => {
    kube.setConfigMap({ ...kube.getConfigMap(APP_CM)!, data: { session_sliding_window: 'true' } });
    const p = await enableSlidingWindow.plan(h.ctx, enableSlidingWindow.params.parse({}));
    expect(p.noop).toBe(true);
  });

  it('says when the bot may not patch what it needs (SelfSubjectAccessReview)', async () => {
    kube.setAccess((a) => a.resource !== 'deployments');
    const cap = await enableSlidingWindow.capability(h.ctx);
    expect(cap).toEqual({
      able: false,
      why: expect.stringMatching(/may not patch deployments "langgraph-agent".*rbac\.yaml/),
    });
    kube.setAccess(() => true);
    expect(await enableSlidingWindow.capability(h.ctx)).toEqual({ able: true });
  });
});
