/**
 * `npx tsx bench/sampled-diagnose.ts [--runs N] [--keys N]` (also run by `npm run bench`):
 * issue 12 target 4, a sampled diagnosis end to end in-process. The real engine runs every default
 * check with a 1000-key sample against a redis-server seeded with realistic sessions and a live
 * Kubernetes environment whose API is the fake API server on loopback (the real
 * `@kubernetes/client-node` talks to it over HTTP), through the same source cache the CLI uses.
 *
 * Same-run baselines, interleaved with the diagnoses round by round:
 * - `PING`: one round trip to the same Redis (the floor of any Redis read);
 * - `sampler alone`: the keyspace sampler's 1000-key sample and nothing else (the one Redis pass every
 *   diagnosis makes; the checks share it).
 * The first `warmup` rounds (loading the Kubernetes client, connecting) are not counted. The table has
 * p50 / p95 / max of each, and the diagnosis's p50 as a ratio of, and milliseconds over, the sampler's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createSourceCache } from '../src/app/sources.js';
import { parseConfig } from '../src/config/config.js';
import { startRedisServer } from '../src/demo/redis-process.js';
import { allChecks } from '../src/diagnostics/all-checks.js';
import { runDiagnosis } from '../src/diagnostics/engine.js';
import { createCheckRegistry } from '../src/diagnostics/registry.js';
import { keyspaceSamplerFor } from '../src/diagnostics/sampling/keyspace-sampler.js';
import { configMapObject, podObject, startFakeKubeApi, type FakeKubeApi } from '../test/fakes/kube-api.js';
import { seedSessions } from './seed-sessions.js';

const NS = 'langgraph-agent';
const TARGET_P50_MS = 300;
const DAY = 86_400_000;

export interface Quantiles {
  p50: number;
  p95: number;
  max: number;
}

export interface SampledDiagnoseResult {
  runs: number;
  keys: number;
  sampleSize: number;
  ping: Quantiles;
  sampler: Quantiles;
  diagnose: Quantiles;
  /** Median duration of each check (ms) over the counted runs. */
  checkMs: Record<string, number>;
  load: { start: number[]; end: number[] };
  pass: boolean;
}

function quantiles(xs: number[]): Quantiles {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
  return { p50: at(0.5), p95: at(0.95), max: s.at(-1) as number };
}

/** The fake API server holds what a healthy deployment has: the app ConfigMap, the pods, their logs. */
function plantCluster(kube: FakeKubeApi): void {
  const now = Date.now();
  kube.setConfigMap(
    configMapObject({
      name: 'langgraph-agent-config',
      data: { session_ttl_seconds: '3600', session_sliding_window: 'false' },
      createdAt: new Date(now - 30 * DAY).toISOString(),
      changedAt: new Date(now - 2 * DAY).toISOString(),
    }),
  );
  kube.setConfigMap(
    configMapObject({
      name: 'redis-session-config',
      data: { 'redis.conf': 'maxmemory 512mb\nmaxmemory-policy volatile-lru\n' },
    }),
  );
  const started = new Date(now - DAY).toISOString();
  const pods = ['langgraph-agent-5d8c-aaaaa', 'langgraph-agent-5d8c-bbbbb'];
  kube.setPods([
    ...pods.map((name) =>
      podObject({
        name,
        startedAt: started,
        containers: [{ name: 'agent', envFrom: ['langgraph-agent-config'], startedAt: started }],
      }),
    ),
    podObject({
      name: 'redis-session-0',
      labels: { app: 'redis-session' },
      startedAt: started,
      containers: [{ name: 'redis' }],
    }),
  ]);
  for (const pod of pods)
    kube.setPodLog(pod, `${new Date(now - 10_000).toISOString()} INFO GET /api/sessions/current 200\n`);
}

/** Runs the benchmark, prints its table and returns the figures. */
export async function runSampledDiagnoseBench(
  opts: { runs?: number; warmup?: number; keys?: number; sampleSize?: number } = {},
): Promise<SampledDiagnoseResult> {
  const runs = opts.runs ?? 30;
  const warmup = opts.warmup ?? 3;
  const keys = opts.keys ?? 20_000;
  const sampleSize = opts.sampleSize ?? 1000;
  const loadStart = loadavg();
  const redis = await startRedisServer();
  const kube = await startFakeKubeApi({ namespace: NS });
  const work = mkdtempSync(join(tmpdir(), 'bench-sampled-'));
  const ping = new Redis(redis.url, { lazyConnect: true });
  const sources = createSourceCache({});
  try {
    await seedSessions({
      port: redis.port,
      count: keys,
      ttlSeconds: 3600,
      spreadSeconds: 3000,
      nowMs: Date.now(),
      realistic: true,
    });
    await ping.connect();
    // A Redis with headroom and a memory limit, as in production (the memory checks read both).
    await ping.config('SET', 'maxmemory', '512mb');
    await ping.config('SET', 'maxmemory-policy', 'volatile-lru');
    plantCluster(kube);
    const kubeconfig = join(work, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: { server: kube.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'bot', user: { token: kube.token } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'bot', namespace: NS } }],
        'current-context': 'fake',
      }),
    );
    // The shipped defaults (sample size, rate window, timeouts) except the sample size asked for.
    const config = parseConfig(
      {
        environments: {
          bench: {
            profile: 'development',
            slidingWindow: false,
            redis: { url: redis.url, keyPattern: 'session:*' },
            kubernetes: { kubeconfig, namespace: NS },
          },
        },
        defaults: { sampleSize },
      },
      'bench',
    );
    const env = config.environments.bench!;
    const registry = createCheckRegistry(allChecks);
    const store = sources.sourcesFor(env).redis!;

    const pings: number[] = [];
    const samples: number[] = [];
    const diagnoses: number[] = [];
    const checkDurations = new Map<string, number[]>();
    for (let round = 0; round < warmup + runs; round++) {
      const counted = round >= warmup;
      const steps = [
        async () => {
          for (let i = 0; i < 10; i++) {
            const t0 = performance.now();
            await ping.ping();
            if (counted) pings.push(performance.now() - t0);
          }
        },
        async () => {
          const controller = new AbortController();
          const t0 = performance.now();
          const sampler = keyspaceSamplerFor({
            store,
            env,
            options: { sampleSize },
            now: Date.now,
            signal: controller.signal,
          });
          await sampler.sample();
          if (counted) samples.push(performance.now() - t0);
          controller.abort();
        },
        async () => {
          const t0 = performance.now();
          const report = await runDiagnosis({ config, registry, sourcesFor: sources.sourcesFor }, { envName: 'bench' });
          const ms = performance.now() - t0;
          const failed = report.checks.filter((c) => c.status === 'error');
          if (failed.length) throw new Error(`checks failed: ${failed.map((c) => `${c.id}: ${c.message}`).join('; ')}`);
          if (counted) {
            diagnoses.push(ms);
            for (const c of report.checks)
              checkDurations.set(c.id, [...(checkDurations.get(c.id) ?? []), c.durationMs]);
          }
        },
      ];
      // The order rotates so that no figure always runs first.
      for (let i = 0; i < steps.length; i++) await steps[(i + round) % steps.length]!();
    }
    const result: SampledDiagnoseResult = {
      runs,
      keys,
      sampleSize,
      ping: quantiles(pings),
      sampler: quantiles(samples),
      diagnose: quantiles(diagnoses),
      checkMs: Object.fromEntries([...checkDurations].map(([id, ms]) => [id, quantiles(ms).p50])),
      load: { start: loadStart, end: loadavg() },
      pass: quantiles(diagnoses).p50 < TARGET_P50_MS,
    };
    const row = (label: string, q: Quantiles) =>
      `${label.padEnd(44)} p50 ${q.p50.toFixed(2).padStart(8)} ms   p95 ${q.p95.toFixed(2).padStart(8)} ms   max ${q.max.toFixed(2).padStart(8)} ms`;
    console.log(
      `\nsampled diagnose in-process (bench/sampled-diagnose.ts): ${runs} runs after ${warmup} warm-up, ${keys.toLocaleString('en-US')} keys, ${sampleSize}-key sample; load ${loadStart.map((l) => l.toFixed(2)).join(' ')} -> ${result.load.end.map((l) => l.toFixed(2)).join(' ')}`,
    );
    console.log(row('baseline: PING round trip', result.ping));
    console.log(row(`baseline: keyspace sampler alone (${sampleSize} keys)`, result.sampler));
    console.log(row('runDiagnosis, every default check', result.diagnose));
    console.log(
      `check p50s: ${Object.entries(result.checkMs)
        .map(([id, ms]) => `${id} ${ms}`)
        .join(', ')} ms`,
    );
    console.log(
      `diagnose p50 = ${(result.diagnose.p50 / result.sampler.p50).toFixed(1)}x the sampler alone (+${(result.diagnose.p50 - result.sampler.p50).toFixed(0)} ms); target p50 < ${TARGET_P50_MS} ms: ${result.pass ? 'PASS' : 'MISS'}`,
    );
    return result;
  } finally {
    ping.disconnect();
    await sources.close();
    await kube.stop();
    await redis.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, keys: { type: 'string' } } });
  await runSampledDiagnoseBench({
    ...(values.runs ? { runs: Number(values.runs) } : {}),
    ...(values.keys ? { keys: Number(values.keys) } : {}),
  });
}
