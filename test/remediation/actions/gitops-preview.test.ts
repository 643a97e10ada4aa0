// The preview of a ConfigMap change when Argo CD or Flux manages the ConfigMap: no direct patch as the
// durable step (remediation.gitops.allowDirectPatch false, the default), or the patch with a warning (true).
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enableSlidingWindow } from '../../../src/remediation/actions/enable-sliding-window.js';
import { setEvictionPolicy } from '../../../src/remediation/actions/set-eviction-policy.js';
import { configMapObject, startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../../support/shared-redis.js';
import {
  APP_CM,
  configGet,
  harness,
  NS,
  patches,
  REDIS_CM,
  REDIS_CONF,
  seedCluster,
  type Harness,
} from './action-harness.js';

let kube: FakeKubeApi;
let redis: Redis;
let h: Harness;

beforeAll(async () => {
  kube = await startFakeKubeApi();
});
afterAll(async () => {
  await kube.stop();
});
beforeEach(async () => {
  redis = await resetSharedRedis();
  await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
  seedCluster(kube);
  kube.forbidArgoApplications(false);
  kube.requests.length = 0;
  h = harness(kube, sharedRedisUrl());
});
afterEach(async () => {
  kube.clearFaults();
  await redis.config('SET', 'maxmemory-policy', 'noeviction');
  redis.disconnect();
  await h.close();
});

const TRACKING = { 'argocd.argoproj.io/tracking-id': `sessions:/ConfigMap:${NS}/${REDIS_CM}` };
/** The Redis ConfigMap as a GitOps controller left it: same data, its labels and annotations. */
const manage = (meta: { labels?: Record<string, string>; annotations?: Record<string, string> }, name = REDIS_CM) =>
  kube.setConfigMap(configMapObject({ name, data: kube.getConfigMap(name)!.data, ...meta }));
const plan = (ctx = h.ctx) => setEvictionPolicy.plan(ctx, setEvictionPolicy.params.parse({}));
const allowing = () => ({ ...h.ctx, gitops: { allowDirectPatch: true, argocdNamespace: 'argocd' } });
const kinds = (p: { changes: { kind: string }[] }) => p.changes.map((c) => c.kind);
const DIFF = [
  '@@ redis.conf line 5 @@',
  ' # eviction',
  '-maxmemory-policy allkeys-lru',
  '+maxmemory-policy volatile-lru',
  ' appendonly yes',
];

describe('set-eviction-policy on a GitOps-managed ConfigMap', () => {
  it('Argo CD (tracking-id): no ConfigMap patch, CONFIG SET kept, the warning, and the edit for Git', async () => {
    manage({ annotations: TRACKING });
    const p = await plan();
    expect(kinds(p)).toEqual(['redis-config']);
    expect(p.noop).toBe(false);
    expect(p.warnings).toContain(
      'ConfigMap "redis-session-config" is managed by Argo CD application "sessions" ' +
        '(annotation argocd.argoproj.io/tracking-id): a direct patch is undone at the next sync. The bot does not ' +
        'patch it (remediation.gitops.allowDirectPatch is false): the change is live only, and lost when Redis ' +
        'restarts, until the same edit of redis.conf (shown above) lands in Git.',
    );
    expect(p.durable).toEqual({
      kind: 'gitops',
      owner: { tool: 'argocd', name: 'sessions', evidence: 'annotation argocd.argoproj.io/tracking-id' },
      object: { kind: 'ConfigMap', namespace: NS, name: REDIS_CM, key: 'redis.conf' },
      before: REDIS_CONF,
      after: REDIS_CONF.replace('policy allkeys-lru', 'policy volatile-lru'),
      diff: DIFF,
      directPatch: false,
    });
    expect(p.summary).toMatch(
      /on 1 node; the redis\.conf edit of ConfigMap redis-session-config belongs in Git \(Argo CD application "sessions"\)/,
    );
  });

  it('Flux (kustomize-controller labels): the same, naming the Kustomization', async () => {
    manage({
      labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' },
    });
    const p = await plan();
    expect(kinds(p)).toEqual(['redis-config']);
    expect(p.warnings.join('\n')).toContain(
      'ConfigMap "redis-session-config" is managed by Flux Kustomization "flux-system/apps" ' +
        '(label kustomize.toolkit.fluxcd.io/name): a direct patch is undone at the next sync. The bot does not patch it',
    );
    expect(p.durable?.owner).toMatchObject({ tool: 'flux-kustomize', name: 'apps', namespace: 'flux-system' });
  });

  it('the app.kubernetes.io/instance label: Argo CD when its Application exists, nothing otherwise', async () => {
    manage({ labels: { 'app.kubernetes.io/instance': 'sessions' } });
    const helmOnly = await plan();
    expect(kinds(helmOnly)).toEqual(['redis-config', 'configmap']);
    expect(helmOnly.durable).toBeUndefined();
    expect(helmOnly.warnings.join('\n')).not.toMatch(/Argo CD/);

    kube.setArgoApplication('sessions');
    const argo = await plan();
    expect(kinds(argo)).toEqual(['redis-config']);
    expect(argo.warnings.join('\n')).toContain(
      'is managed by Argo CD application "sessions" (label app.kubernetes.io/instance and Argo CD Application ' +
        'argocd/sessions): a direct patch is undone at the next sync.',
    );
    const reads = kube.requests.filter((r) => r.path.includes('argoproj.io')).map((r) => `${r.method} ${r.path}`);
    expect(reads).toEqual([
      'GET /apis/argoproj.io/v1alpha1/namespaces/argocd/applications/sessions',
      'GET /apis/argoproj.io/v1alpha1/namespaces/argocd/applications/sessions',
    ]);
  });

  it('reads the Application in remediation.gitops.argocdNamespace', async () => {
    manage({ labels: { 'app.kubernetes.io/instance': 'sessions' } });
    kube.setArgoApplication('sessions', 'gitops');
    const p = await plan({ ...h.ctx, gitops: { allowDirectPatch: false, argocdNamespace: 'gitops' } });
    expect(p.durable?.owner).toMatchObject({ tool: 'argocd', name: 'sessions', namespace: 'gitops' });
  });

  it('an Application the bot may not read (403): the preview goes on, saying it could not check', async () => {
    manage({ labels: { 'app.kubernetes.io/instance': 'sessions' } });
    kube.setArgoApplication('sessions');
    kube.forbidArgoApplications();
    const p = await plan();
    expect(kinds(p)).toEqual(['redis-config', 'configmap']);
    expect(p.durable).toBeUndefined();
    const text = p.warnings.join('\n');
    expect(text).toContain(
      'ConfigMap "redis-session-config" carries the label app.kubernetes.io/instance=sessions, but whether Argo CD ' +
        'application "sessions" (namespace "argocd") manages it could not be checked (',
    );
    expect(text).toContain(
      'could not be checked (the bot may not read Argo CD Applications (HTTP 403): grant the bot "get" on ' +
        'applications.argoproj.io in namespace "argocd" to have it checked). If it does, a direct patch is undone ' +
        'at the next sync.',
    );
  });

  it('allowDirectPatch: the patch stays, with the warning that the next sync undoes it', async () => {
    manage({ annotations: TRACKING });
    const p = await plan(allowing());
    expect(kinds(p)).toEqual(['redis-config', 'configmap']);
    expect(p.durable).toMatchObject({ kind: 'gitops', directPatch: true, diff: DIFF });
    expect(p.warnings).toContain(
      'ConfigMap "redis-session-config" is managed by Argo CD application "sessions" ' +
        '(annotation argocd.argoproj.io/tracking-id): a direct patch is undone at the next sync. ' +
        'remediation.gitops.allowDirectPatch is true, so the bot patches it anyway: make the same edit in Git ' +
        '(the redis.conf diff above) before the next sync, or the sync puts the old value back.',
    );
    expect(p.summary).toMatch(/on 1 node and in ConfigMap redis-session-config \(redis\.conf\)$/);
  });

  it('apply of the GitOps-managed plan sets the live value and never PATCHes the ConfigMap', async () => {
    manage({ annotations: TRACKING });
    const p = await plan();
    const outcome = await setEvictionPolicy.apply(h.ctx, p);
    expect(outcome).toMatchObject({ ok: true, applied: p.changes });
    expect(await configGet(redis, 'maxmemory-policy')).toBe('volatile-lru');
    expect(patches(kube)).toEqual([]);
    expect(kube.getConfigMap(REDIS_CM)!.data['redis.conf']).toBe(REDIS_CONF);
  });

  it('with the live value already set: nothing for the bot to do, what is left belongs in Git', async () => {
    await redis.config('SET', 'maxmemory-policy', 'volatile-lru');
    manage({ annotations: TRACKING });
    const p = await plan();
    expect(p.changes).toEqual([]);
    expect(p.noop).toBe(true);
    expect(p.durable?.directPatch).toBe(false);
    expect(p.summary).toBe(
      'maxmemory-policy is already volatile-lru on every node; the redis.conf edit of ConfigMap ' +
        'redis-session-config belongs in Git (Argo CD application "sessions")',
    );
  });
});

describe('enable-sliding-window on a GitOps-managed app ConfigMap', () => {
  const flux = { labels: { 'helm.toolkit.fluxcd.io/name': 'langgraph-agent' } };

  it('neither patches the ConfigMap nor restarts the app, and says why', async () => {
    manage(flux, APP_CM);
    const p = await enableSlidingWindow.plan(h.ctx, enableSlidingWindow.params.parse({}));
    expect(p.changes).toEqual([]);
    expect(p.noop).toBe(true);
    expect(p.durable).toMatchObject({
      owner: { tool: 'flux-helm', name: 'langgraph-agent' },
      object: { name: APP_CM, key: 'session_sliding_window' },
      diff: ['-session_sliding_window: "false"', '+session_sliding_window: "true"'],
      directPatch: false,
    });
    const text = p.warnings.join('\n');
    expect(text).toContain(
      `ConfigMap "${APP_CM}" is managed by Flux HelmRelease "langgraph-agent" (label helm.toolkit.fluxcd.io/name): ` +
        'a direct patch is undone at the next sync.',
    );
    expect(text).toContain(
      'The rollout restart of Deployment langgraph-agent is not offered either: without the ConfigMap change its ' +
        'pods would start with the same value.',
    );
  });

  it('allowDirectPatch: the patch and the restart, warned that the sync undoes the patch', async () => {
    manage(flux, APP_CM);
    const p = await enableSlidingWindow.plan(allowing(), enableSlidingWindow.params.parse({}));
    expect(kinds(p)).toEqual(['configmap', 'rollout-restart']);
    expect(p.warnings.join('\n')).toMatch(/undone at the next sync\. remediation\.gitops\.allowDirectPatch is true/);
    expect(p.warnings.join('\n')).toMatch(/keep it until their next restart, even after the sync/);
  });
});
