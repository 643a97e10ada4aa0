/**
 * `npm run bench`: the full TTL audit against the redis-cli / redis-benchmark baseline.
 *
 * Seeds BENCH_KEYS (default 1,000,000) sessions into a private redis-server, then measures
 *  (a) the baseline: `redis-cli --scan` plus `redis-benchmark ... PTTL` over the same N,
 *  (b) the full audit (ttl-sample with full: true) in a child process: keys/s and peak RSS,
 *  (c) a sampled diagnosis of the three Redis checks through the engine.
 * Targets are printed as PASS/MISS; the exit code does not depend on them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { parseConfig } from '../src/config/config.js';
import { IoRedisNode } from '../src/adapters/redis/redis-node.js';
import { startRedisServer } from '../src/demo/redis-process.js';
import { runDiagnosis } from '../src/diagnostics/engine.js';
import { createCheckRegistry } from '../src/diagnostics/registry.js';
import { evictionPolicyCheck } from '../src/diagnostics/checks/eviction-policy.js';
import { memoryCheck } from '../src/diagnostics/checks/memory.js';
import { ttlSampleCheck } from '../src/diagnostics/checks/ttl-sample.js';
import { seedSessions } from './seed-sessions.js';

const N = Number(process.env.BENCH_KEYS ?? 1_000_000);
const TTL = 3600;
const RATE_TARGET = 0.5;
const RSS_TARGET_MB = 150;

if (!Number.isInteger(N) || N < 1000) {
  console.error(`BENCH_KEYS must be a whole number of at least 1000 (got "${process.env.BENCH_KEYS}").`);
  process.exit(2);
}

/** Runs a command, counting stdout newlines without keeping the output; returns wall time in ms. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; lines: number; text: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let lines = 0;
    let tail = '';
    child.stdout.on('data', (d: Buffer) => {
      for (const b of d) if (b === 10) lines++;
      tail = (tail + d.toString()).slice(-4000);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${cmd} exited with ${code}`));
      else resolve({ ms, lines, text: tail });
    });
  });
}

/**
 * Compiles bench/audit-child.ts and what it imports to JS under node_modules/.cache (so that
 * `ioredis` still resolves), or returns undefined when tsc emitted nothing (then tsx runs it).
 * tsx's loader alone adds ~30 MB of RSS that the deployed bot does not have.
 */
function compileAuditChild(): string | undefined {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const outDir = join(root, 'node_modules', '.cache', 'session-ttl-bench');
  rmSync(outDir, { recursive: true, force: true });
  // Type errors elsewhere in the tree must not stop the bench: tsc still emits, and the run shows it.
  spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--outDir', outDir, '--rootDir', root, '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
      '--target', 'ES2022', '--skipLibCheck', '--types', 'node', join(root, 'bench', 'audit-child.ts'),
    ],
    { stdio: 'ignore' },
  );
  const entry = join(outDir, 'bench', 'audit-child.js');
  if (!existsSync(entry)) return undefined;
  // The compiled files are ESM like the sources.
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
  return entry;
}

const fmt = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const server = await startRedisServer();
const client = new Redis(server.url, { lazyConnect: true });
try {
  await client.connect();
  console.log(`redis-server on port ${server.port}; seeding ${fmt(N)} sessions (TTL ${TTL} s)...`);
  let t = performance.now();
  await seedSessions({ port: server.port, count: N, ttlSeconds: TTL, spreadSeconds: 3000, nowMs: Date.now() });
  const seeded = Number(/db0:keys=(\d+)/.exec(await client.info('keyspace'))?.[1] ?? 0);
  console.log(`seeded ${fmt(seeded)} keys in ${fmt((performance.now() - t) / 1000, 1)} s`);

  // (a) Baseline.
  const scan = await timed('redis-cli', ['-p', String(server.port), '--scan', '--pattern', 'session:*']);
  const pttl = await timed('redis-benchmark', ['-p', String(server.port), '-n', String(N), '-P', '1000', '-q', 'PTTL', 'session:1']);
  const baselineRate = N / ((scan.ms + pttl.ms) / 1000);

  // (b) Full audit in a child process, as compiled JS under plain node (how the Docker image runs it).
  const compiled = compileAuditChild();
  const childArgs = compiled ? [compiled] : ['--import', 'tsx', fileURLToPath(new URL('./audit-child.ts', import.meta.url))];
  const child = await timed(process.execPath, childArgs, {
    ...process.env,
    BENCH_REDIS_PORT: String(server.port),
    BENCH_TTL: String(TTL),
  });
  const audit = JSON.parse(child.text.trim().split('\n').pop() as string) as {
    keys: number;
    ms: number;
    maxRssMb: number;
    findings: string[];
  };
  const auditRate = audit.keys / (audit.ms / 1000);

  // (c) Sampled diagnosis of the three Redis checks through the engine (default sample, rate window).
  const config = parseConfig(
    { environments: { bench: { profile: 'development', expectedTtlSeconds: TTL, slidingWindow: false, redis: { url: server.url } } } },
    'bench',
  );
  const registry = createCheckRegistry([ttlSampleCheck, memoryCheck, evictionPolicyCheck]);
  t = performance.now();
  const report = await runDiagnosis(
    { config, registry, sourcesFor: () => ({ redis: { nodes: [new IoRedisNode(client)] } }) },
    { envName: 'bench' },
  );
  const diagnosisMs = performance.now() - t;
  const ttlCheckMs = report.checks.find((c) => c.id === 'ttl-sample')?.durationMs ?? NaN;

  const ratio = auditRate / baselineRate;
  const rows: [string, string][] = [
    ['keys', fmt(N)],
    ['baseline: redis-cli --scan', `${fmt(scan.ms / 1000, 2)} s (${fmt(scan.lines)} keys)`],
    ['baseline: redis-benchmark PTTL -P 1000', `${fmt(pttl.ms / 1000, 2)} s (${fmt(N / (pttl.ms / 1000))} req/s)`],
    ['baseline rate', `${fmt(baselineRate)} keys/s`],
    ['full audit', `${fmt(audit.ms / 1000, 2)} s for ${fmt(audit.keys)} keys, ${fmt(auditRate)} keys/s`],
    ['full audit peak RSS', `${fmt(audit.maxRssMb, 1)} MB (${compiled ? 'compiled JS, plain node' : 'tsx'})`],
    ['full audit findings', audit.findings.join(', ')],
    ['sampled diagnosis (3 checks)', `${fmt(diagnosisMs)} ms (ttl-sample ${fmt(ttlCheckMs)} ms; memory waits the ${config.defaults.rateWindowMs} ms rate window)`],
    ['diagnosis statuses', report.checks.map((c) => `${c.id}=${c.status}`).join(', ')],
    ['audit / baseline', `${fmt(ratio, 2)} (target >= ${RATE_TARGET}) ${ratio >= RATE_TARGET ? 'PASS' : 'MISS'}`],
    ['peak RSS', `${fmt(audit.maxRssMb, 1)} MB (target < ${RSS_TARGET_MB} MB) ${audit.maxRssMb < RSS_TARGET_MB ? 'PASS' : 'MISS'}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log('');
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
} finally {
  client.disconnect();
  await server.stop();
}
