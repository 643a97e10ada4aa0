import type { Redis } from 'ioredis';
import { parseConfig, type EnvironmentConfig } from '../../src/config/config.js';
import type { ClusterPort } from '../../src/core/ports/cluster.js';
import { IoRedisNode } from '../../src/adapters/redis/redis-node.js';
import type { SessionStore } from '../../src/core/ports/session-store.js';
import { keyspaceSamplerFor } from '../../src/diagnostics/sampling/keyspace-sampler.js';
import { createFindingCatalogue } from '../../src/diagnostics/catalogue/finding-catalogue.js';
import type { Check, CheckContext, RawFinding, RunOptions, SourcedContext } from '../../src/diagnostics/types.js';

/** A cluster source that must not be used: the Redis checks declare only `redis`. */
const noCluster: ClusterPort = {
  description: 'none (not needed by this check)',
  readConfigMap: () => Promise.reject(new Error('the cluster source is not part of this test')),
  listPods: () => Promise.reject(new Error('the cluster source is not part of this test')),
};

/** A parsed environment (through the real config schema) with overrides of its TTL settings. */
export function testEnvironment(
  opts: { url?: string; expectedTtlSeconds?: number; slidingWindow?: boolean; keyPattern?: string } = {},
): EnvironmentConfig {
  const config = parseConfig(
    {
      environments: {
        test: {
          profile: 'development',
          expectedTtlSeconds: opts.expectedTtlSeconds ?? 3600,
          slidingWindow: opts.slidingWindow ?? false,
          redis: { url: opts.url ?? 'redis://127.0.0.1:6379', keyPattern: opts.keyPattern ?? 'session:*' },
        },
      },
    },
    'test',
  );
  return config.environments.test as EnvironmentConfig;
}

export interface ContextOverrides {
  /** Redis clients, one per node; wrapped in IoRedisNode. */
  clients?: Redis[];
  /** A prepared store instead of `clients`. */
  redis?: SessionStore;
  env?: EnvironmentConfig;
  expectedTtlSeconds?: number;
  slidingWindow?: boolean;
  options?: RunOptions;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * A CheckContext for calling a check's `run` directly. Defaults: expected TTL 3600 s, sliding
 * window off, sample size 1000, a rate window of 0 ms, the real clock, a sleep that returns at once.
 */
export function makeContext(overrides: ContextOverrides = {}): CheckContext {
  const env =
    overrides.env ??
    testEnvironment({
      ...(overrides.expectedTtlSeconds !== undefined ? { expectedTtlSeconds: overrides.expectedTtlSeconds } : {}),
      ...(overrides.slidingWindow !== undefined ? { slidingWindow: overrides.slidingWindow } : {}),
    });
  const redis: SessionStore = overrides.redis ?? { nodes: (overrides.clients ?? []).map((c) => new IoRedisNode(c)) };
  const options: RunOptions = { sampleSize: 1000, rateWindowMs: 0, ...overrides.options };
  const now = overrides.now ?? Date.now;
  const signal = overrides.signal ?? new AbortController().signal;
  return {
    envName: env.name,
    env,
    redis,
    // A fresh sampler per context: each context is one diagnosis.
    sampler: keyspaceSamplerFor({ store: redis, env, options, now, signal }),
    cluster: noCluster,
    options,
    now,
    sleep: overrides.sleep ?? (async () => undefined),
    signal,
  };
}

export interface PlantedSessions {
  /** Number of `session:<prefix><i>` keys. */
  count: number;
  prefix?: string;
  /** TTL the writer used, in seconds; undefined writes with plain SET (no expiry). */
  ttlSeconds?: number;
  /** Ages spread evenly over [0, maxAgeSeconds); the remaining TTL is ttl - age. */
  maxAgeSeconds?: number;
  /** How the value carries its creation time. */
  createdAt?: 'seconds' | 'ms' | 'iso' | 'hash' | 'none';
  /** Adds `last_accessed_at` (seconds) equal to the creation time. */
  lastAccess?: boolean;
  nowMs?: number;
}

/**
 * Writes sessions the way an app does (SET ... EX, or HSET + EXPIRE for hashes), each aged so that
 * its remaining TTL is `ttl - age` and its created_at is `now - age`.
 */
export async function plantSessions(client: Redis, p: PlantedSessions): Promise<void> {
  const nowMs = p.nowMs ?? Date.now();
  const pipeline = client.pipeline();
  for (let i = 0; i < p.count; i++) {
    const key = `session:${p.prefix ?? ''}${i}`;
    const age = p.maxAgeSeconds ? Math.floor((i * p.maxAgeSeconds) / p.count) : 0;
    const createdMs = nowMs - age * 1000;
    const ttl = p.ttlSeconds === undefined ? undefined : p.ttlSeconds - age;
    const style = p.createdAt ?? 'none';
    if (style === 'hash') {
      pipeline.hset(key, { user_id: `u${i}`, createdAt: String(createdMs) });
      if (ttl !== undefined) pipeline.expire(key, ttl);
      continue;
    }
    const value: Record<string, unknown> = { user_id: `u${i}` };
    if (style === 'seconds') value.created_at = Math.floor(createdMs / 1000);
    if (style === 'ms') value.createdAt = createdMs;
    if (style === 'iso') value.created_at = new Date(createdMs).toISOString();
    if (p.lastAccess) value.last_accessed_at = Math.floor(createdMs / 1000);
    const text = style === 'none' && !p.lastAccess ? `opaque-${i}` : JSON.stringify(value);
    if (ttl === undefined) pipeline.set(key, text);
    else pipeline.set(key, text, 'EX', ttl);
  }
  await pipeline.exec();
}

/** Sorted finding ids, for comparing what a check raised. */
export const findingIds = (fs: readonly RawFinding[]): string[] => fs.map((f) => f.id).sort();

/** The finding with this id; fails with the ids that were raised when it is missing. */
export function findingById(fs: readonly RawFinding[], id: string): RawFinding {
  const f = fs.find((x) => x.id === id);
  if (!f) throw new Error(`expected finding ${id}, got ${findingIds(fs).join(', ') || 'none'}`);
  return f;
}

/**
 * Runs a check the way the engine would judge it: every finding must be one the check declares, with
 * a declared severity and evidence that matches its schema. Check tests call checks through this, so
 * every finding they produce is run through its catalogue entry.
 */
export async function runChecked(check: Check, ctx: SourcedContext): Promise<RawFinding[]> {
  const catalogue = createFindingCatalogue([check]);
  const findings = await check.run(ctx);
  const violations = findings.flatMap((f) => catalogue.violation(check.id, f) ?? []);
  if (violations.length) throw new Error(`check "${check.id}" ${violations.join('; ')}`);
  return findings;
}
