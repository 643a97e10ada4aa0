/**
 * The full audit, alone in its own process so that its peak RSS is its own. Prints one JSON line:
 * { keys, ms, maxRssMb, findings }.
 */
import { Redis } from 'ioredis';
import { parseConfig, type EnvironmentConfig } from '../src/config/config.js';
import { IoRedisNode } from '../src/adapters/redis/redis-node.js';
import { ttlSampleCheck } from '../src/diagnostics/checks/ttl-sample.js';
import { keyspaceSamplerFor } from '../src/diagnostics/sampling/keyspace-sampler.js';

const port = Number(process.env.BENCH_REDIS_PORT);
const ttl = Number(process.env.BENCH_TTL ?? 3600);
const url = `redis://127.0.0.1:${port}`;
const env = parseConfig(
  { environments: { bench: { profile: 'development', expectedTtlSeconds: ttl, slidingWindow: false, redis: { url } } } },
  'bench',
).environments.bench as EnvironmentConfig;

const client = new Redis(url, { lazyConnect: true });
await client.connect();
const t0 = performance.now();
const store = { nodes: [new IoRedisNode(client)] };
const options = { full: true, sampleSize: 1000 };
const signal = new AbortController().signal;
const findings = await ttlSampleCheck.run({
  envName: env.name,
  env,
  redis: store,
  // The check reads the keyspace through the diagnosis's sampler, as the engine hands it over.
  sampler: keyspaceSamplerFor({ store, env, options, now: Date.now, signal }),
  cluster: { description: 'none', readConfigMap: async () => undefined, listPods: async () => [] },
  options,
  now: Date.now,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  signal,
});
const ms = performance.now() - t0;
client.disconnect();
const dist = findings.find((f) => f.id === 'ttl.distribution');
process.stdout.write(
  `${JSON.stringify({
    keys: dist?.evidence.sampled,
    ms: Math.round(ms),
    // maxRSS is in KiB.
    maxRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    findings: findings.map((f) => `${f.severity}:${f.id}`),
  })}\n`,
);
