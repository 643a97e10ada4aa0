// `session-ttl fix <env> <action> --dry-run` in an environment with gitops: the Redis ConfigMap is managed by
// Argo CD, so the preview prints the diff the pull request would contain (read from the fake GitHub API through
// Octokit), changes nothing live and writes nothing to Git. A missing token is named, not fatal.
import type { Redis } from 'ioredis';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../fakes/github-api.js';
import { configMapObject, startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.js';
import {
  NS,
  REDIS_CM,
  REDIS_CONF,
  redisConfigMapManifest,
  seedCluster,
} from '../remediation/actions/action-harness.js';
import { captureIo } from '../support/cli-io.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

const PATH = 'clusters/prod/redis-configmap.yaml';
const MANIFEST = redisConfigMapManifest();

describe('session-ttl fix --dry-run with gitops', () => {
  let redis: Redis;
  let kube: FakeKubeApi;
  let gh: FakeGitHubApi;
  let config: string;
  beforeAll(async () => {
    redis = await resetSharedRedis();
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    kube = await startFakeKubeApi();
    seedCluster(kube);
    kube.setConfigMap(
      configMapObject({
        name: REDIS_CM,
        data: { 'redis.conf': REDIS_CONF },
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'sessions',
          'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
        },
      }),
    );
    gh = await startFakeGitHubApi({
      owner: 'example',
      name: 'gitops',
      files: { [PATH]: MANIFEST },
      tokens: { t1: 'write' },
    });
    const dir = mkdtempSync(join(tmpdir(), 'fix-gitops-'));
    const kubeconfig = join(dir, 'kubeconfig.json');
    writeFileSync(kubeconfig, kube.kubeConfig().exportConfig());
    config = join(dir, 'session-ttl.yaml');
    writeFileSync(
      config,
      [
        'environments:',
        '  prod:',
        '    profile: production',
        `    redis: { url: "${sharedRedisUrl()}" }`,
        `    kubernetes: { kubeconfig: "${kubeconfig}", namespace: ${NS} }`,
        '    gitops:',
        '      provider: github',
        '      repo: example/gitops',
        `      files: { redisConfigMap: ${PATH} }`,
        '      tokenEnv: GITOPS_TOKEN',
        `      apiUrl: ${gh.baseUrl}`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    redis.disconnect();
    await gh.close();
    await kube.stop();
  });

  it('prints the diff the pull request would contain and writes nothing', async () => {
    const t = captureIo();
    t.env.GITOPS_TOKEN = 't1';
    expect(await runCli(['fix', 'prod', 'set-eviction-policy', '--dry-run', '--config', config], t)).toBe(0);
    const out = t.out();
    expect(out).toContain(`Pull request: to example/gitops (github), base main`);
    expect(out).toContain(`  --- a/${PATH}\n  +++ b/${PATH}\n`);
    expect(out).toContain('  -    maxmemory-policy allkeys-lru\n  +    maxmemory-policy volatile-lru\n');
    expect(out).toContain('managed by Flux Kustomization');
    expect(((await redis.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('allkeys-lru');
    expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('without the token: the preview says which variable is missing and prepares no pull request', async () => {
    const t = captureIo();
    expect(await runCli(['fix', 'prod', 'set-eviction-policy', '--dry-run', '--config', config], t)).toBe(0);
    expect(t.out()).toContain('No pull request can be prepared');
    expect(t.out()).toContain('GITOPS_TOKEN');
    expect(t.out()).not.toContain('Pull request: to');
  });
});
