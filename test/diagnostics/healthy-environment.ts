import { appClockReader } from '../../src/adapters/app/app-clock.js';
import type { Redis } from 'ioredis';
import type { ClusterPort } from '../../src/core/ports/cluster.js';
import { createKubernetesCluster } from '../../src/adapters/kubernetes/kubernetes-cluster.js';
import { IoRedisNode } from '../../src/adapters/redis/redis-node.js';
import type { SessionStore } from '../../src/core/ports/session-store.js';
import { parseConfig, type Config, type EnvironmentConfig } from '../../src/config/config.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { keyspaceSamplerFor } from '../../src/diagnostics/sampling/keyspace-sampler.js';
import type { Check, Report, RunOptions, SourcedContext } from '../../src/diagnostics/types.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  configMapObject,
  podObject,
  startFakeKubeApi,
  type ContainerSpec,
  type FakeKubeApi,
} from '../fakes/kube-api.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

export const NS = 'langgraph-agent';
export const CM = 'langgraph-agent-config';
const DAY = 86_400_000;

export interface EnvOptions {
  profile?: 'development' | 'staging' | 'production' | 'production-api';
  /** `app:` section of the environment (e.g. `{ baseUrl }`). */
  app?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
}

/** A config with one environment `test` on the shared Redis and a live Kubernetes source (the fake). */
export function testConfig(opts: EnvOptions = {}): Config {
  return parseConfig(
    {
      environments: {
        test: {
          profile: opts.profile ?? 'development',
          redis: { url: sharedRedisUrl() },
          kubernetes: { namespace: NS },
          ...(opts.app ? { app: opts.app } : {}),
        },
      },
      defaults: { rateWindowMs: 100, ...opts.defaults },
    },
    'test',
  );
}

export function clusterOf(kube: FakeKubeApi, now?: () => number): ClusterPort {
  return createKubernetesCluster({ kubeConfig: kube.kubeConfig(), namespace: NS, ...(now ? { now } : {}) });
}

export function storeOf(client: Redis): SessionStore {
  return { nodes: [new IoRedisNode(client)] };
}

/** A CheckContext for calling one check's `run` against the real Redis and the fake API server. */
export function contextFor(opts: {
  config: Config;
  client?: Redis;
  cluster?: ClusterPort;
  now?: () => number;
  options?: RunOptions;
}): SourcedContext {
  const env = opts.config.environments.test as EnvironmentConfig;
  const options: RunOptions = {
    sampleSize: 1000,
    rateWindowMs: 0,
    clockSkewThresholdMs: opts.config.defaults.clockSkewThresholdMs,
    logTailLines: opts.config.defaults.logTailLines,
    ...opts.options,
  };
  const now = opts.now ?? Date.now;
  const signal = new AbortController().signal;
  const store = opts.client ? storeOf(opts.client) : undefined;
  return {
    envName: env.name,
    env,
    ...(store ? { redis: store, sampler: keyspaceSamplerFor({ store, env, options, now, signal }) } : {}),
    ...(opts.cluster ? { cluster: opts.cluster } : {}),
    options,
    now,
    sleep: async () => undefined,
    signal,
    appClock: appClockReader(),
  };
}

/** Runs the real engine with the given checks (default: the real `allChecks` registry). */
export function diagnose(opts: {
  config: Config;
  client: Redis;
  cluster: ClusterPort;
  checks?: readonly Check[];
  now?: () => number;
}): Promise<Report> {
  return runDiagnosis(
    {
      config: opts.config,
      registry: createCheckRegistry(opts.checks ?? allChecks),
      sourcesFor: () => ({ redis: storeOf(opts.client), cluster: opts.cluster, appClock: appClockReader() }),
      ...(opts.now ? { now: opts.now } : {}),
    },
    { envName: 'test' },
  );
}

export interface HealthyClusterOptions {
  ttlSeconds?: number;
  slidingWindow?: boolean;
  /** Extra ConfigMap data, or keys set to undefined to remove them. */
  data?: Record<string, string | undefined>;
  /** Changes to the app container of every pod. */
  container?: Partial<ContainerSpec>;
  nowMs?: number;
}

export const APP_PODS = ['langgraph-agent-5d8c-aaaaa', 'langgraph-agent-5d8c-bbbbb'];

/**
 * The healthy cluster: the app ConfigMap with the expected TTL and sliding window, changed two days
 * ago; two app pods taking env from it via envFrom, started a day ago; a Redis pod.
 */
export function plantHealthyCluster(kube: FakeKubeApi, opts: HealthyClusterOptions = {}): void {
  const now = opts.nowMs ?? Date.now();
  const data: Record<string, string> = {
    session_ttl_seconds: String(opts.ttlSeconds ?? 3600),
    session_sliding_window: String(opts.slidingWindow ?? true),
  };
  for (const [k, v] of Object.entries(opts.data ?? {})) {
    if (v === undefined) delete data[k];
    else data[k] = v;
  }
  kube.clearFaults();
  kube.setConfigMap(
    configMapObject({
      name: CM,
      data,
      createdAt: new Date(now - 30 * DAY).toISOString(),
      changedAt: new Date(now - 2 * DAY).toISOString(),
    }),
  );
  const started = new Date(now - DAY).toISOString();
  kube.setPods([
    ...APP_PODS.map((name) =>
      podObject({
        name,
        startedAt: started,
        containers: [
          { name: 'agent', envFrom: [CM], env: { REDIS_HOST: 'redis-session' }, startedAt: started, ...opts.container },
        ],
      }),
    ),
    podObject({
      name: 'redis-session-0',
      labels: { app: 'redis-session' },
      startedAt: started,
      containers: [{ name: 'redis' }],
    }),
  ]);
  // Ordinary app logs: requests and session reads, no deletions.
  const t = (s: number) => new Date(now - s * 1000).toISOString();
  for (const pod of APP_PODS) {
    kube.setPodLog(
      pod,
      [
        `${t(30)} INFO uvicorn GET /api/sessions/current 200`,
        `${t(20)} INFO session refreshed ttl=3600`,
        `${t(10)} INFO POST /api/chat 200 in 412 ms`,
        '',
      ].join('\n'),
    );
  }
}

/**
 * Sessions as a healthy app writes them: SET ... EX with the given TTL, created (and last accessed)
 * over the last 90% of the TTL, each with its TTL decayed by its age.
 */
export async function seedSessions(
  client: Redis,
  opts: { count?: number; ttlSeconds?: number; prefix?: string; nowMs?: number } = {},
): Promise<void> {
  const count = opts.count ?? 400;
  const ttl = opts.ttlSeconds ?? 3600;
  const nowSec = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  const p = client.pipeline();
  for (let i = 0; i < count; i++) {
    const age = Math.floor((i / count) * ttl * 0.9);
    const value = JSON.stringify({ user_id: `u${i}`, created_at: nowSec - age, last_accessed_at: nowSec - age });
    p.set(`session:${opts.prefix ?? 's'}${i}`, value, 'EX', ttl - age);
  }
  await p.exec();
}

/** Ids of the findings that are not info. */
export const problems = (r: Report) => r.findings.filter((f) => f.severity !== 'info').map((f) => f.id);

/**
 * Registers the hooks of a test file that runs checks against the healthy environment: one fake API
 * server for the file, and before each test a reset shared Redis and a freshly planted healthy cluster.
 */
export function useHealthyEnvironment(): { readonly kube: FakeKubeApi; readonly client: Redis } {
  let kube: FakeKubeApi | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    kube = await startFakeKubeApi({ namespace: NS });
  });
  afterAll(async () => {
    await kube?.stop();
    client?.disconnect();
  });
  beforeEach(async () => {
    client?.disconnect();
    client = await resetSharedRedis();
    plantHealthyCluster(kube as FakeKubeApi);
  });
  return {
    get kube() {
      return kube as FakeKubeApi;
    },
    get client() {
      return client as Redis;
    },
  };
}
