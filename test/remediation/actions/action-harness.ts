import { type Redis } from 'ioredis';
import { createClusterWriter } from '../../../src/adapters/kubernetes/cluster-writer.js';
import { openRedisAdmin, type OpenRedisAdmin } from '../../../src/adapters/redis/redis-admin.js';
import type { EnvironmentConfig } from '../../../src/config/config.js';
import { environmentSchema } from '../../../src/config/environments.js';
import type { ActionContext } from '../../../src/remediation/types.js';
import { configMapObject, deploymentObject, type FakeKubeApi } from '../../fakes/kube-api.js';

export const NS = 'langgraph-agent';
export const REDIS_CM = 'redis-session-config';
export const APP_CM = 'langgraph-agent-config';

/** The demo's redis.conf, with comments and a blank line that must survive an edit byte-for-byte. */
export const REDIS_CONF = [
  '# Session store (runbook Scenario 1)',
  'maxmemory 512mb',
  '',
  '# eviction',
  'maxmemory-policy allkeys-lru',
  'appendonly yes',
  '',
].join('\n');

export function testEnv(redisUrl: string): EnvironmentConfig {
  const raw = environmentSchema.parse({
    profile: 'production',
    redis: { url: redisUrl },
    kubernetes: { kubeconfig: '/dev/null', namespace: NS },
  });
  return { ...raw, name: 'prod', expectedTtlSeconds: 86400, slidingWindow: true };
}

/** The cluster state the actions expect: both ConfigMaps and both Deployments, rolled out. */
/**
 * The Redis ConfigMap as a team keeps its manifest in Git: `redis.conf` (default REDIS_CONF) as a block
 * scalar, optionally after a comment line (`header`).
 */
export function redisConfigMapManifest(opts: { namespace?: string; header?: string; conf?: string } = {}): string {
  return [
    ...(opts.header ? [opts.header] : []),
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${REDIS_CM}`,
    ...(opts.namespace ? [`  namespace: ${opts.namespace}`] : []),
    'data:',
    '  redis.conf: |',
    ...(opts.conf ?? REDIS_CONF)
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => (l ? `    ${l}` : '')),
    '',
  ].join('\n');
}

export function seedCluster(kube: FakeKubeApi, conf = REDIS_CONF): void {
  kube.setConfigMap(configMapObject({ name: REDIS_CM, data: { 'redis.conf': conf } }));
  kube.setConfigMap(
    configMapObject({ name: APP_CM, data: { session_ttl_seconds: '86400', session_sliding_window: 'false' } }),
  );
  kube.setDeployment(deploymentObject({ name: 'langgraph-agent', replicas: 2 }));
  kube.setDeployment(deploymentObject({ name: 'redis-session', replicas: 1, memoryLimit: '1Gi' }));
  kube.scriptRollout('langgraph-agent', { completeAfterPolls: 1 });
  kube.scriptRollout('redis-session', { completeAfterPolls: 1 });
}

export interface Harness {
  ctx: ActionContext;
  admin: OpenRedisAdmin;
  clock: { t: number };
  close(): Promise<void>;
}

/**
 * The real adapters: the Redis admin port on `redisUrl` and the cluster writer on the fake API, sharing
 * one fake clock that the rollout wait advances (no real sleeping).
 */
export function harness(kube: FakeKubeApi, redisUrl: string): Harness {
  const clock = { t: Date.parse('2026-12-01T10:00:00Z') };
  const admin = openRedisAdmin({ url: redisUrl, connectTimeoutMs: 500 });
  const cluster = createClusterWriter({
    kubeConfig: kube.kubeConfig(),
    namespace: NS,
    pollIntervalMs: 1000,
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
  });
  return {
    ctx: { env: testEnv(redisUrl), redis: admin, cluster, now: () => clock.t },
    admin,
    clock,
    close: () => admin.close(),
  };
}

/** CONFIG GET on a separate connection. */
export async function configGet(redis: Redis, parameter: string): Promise<string> {
  return ((await redis.config('GET', parameter)) as string[])[1] as string;
}

/** The PATCH requests the fake received, oldest first. */
export const patches = (kube: FakeKubeApi) => kube.requests.filter((r) => r.method === 'PATCH');
