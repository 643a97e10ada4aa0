/**
 * The full audit on a Redis Cluster against the same-run single-node baseline.
 *
 * Starts its own redis-servers: one standalone node and a 3-master cluster, each holding the same
 * N sessions (300,000 by default, `--keys N`). Then, interleaved over 3 rounds (`--rounds R`):
 *   - single:   `node dist/cli.js diagnose single --full --json` (one node, all N keys)
 *   - cluster:  `node dist/cli.js diagnose cluster --full --json` (3 masters scanned in parallel)
 *   - serial:   the same three masters audited one after another, each as a standalone node
 *               (`diagnose m1|m2|m3 --full --json`, a standalone client on a cluster node sees its keys)
 * Figures: the wall time of the process, and the audit itself (the ttl-sample check's duration in the
 * JSON report, which is the keyspace scan: SCAN + PTTL + values within budget); keys/s = keys counted /
 * audit time. Median and spread (min–max) over the rounds. The serial audit time is the sum of the three
 * per-master audits of a round, so it compares scan with scan, without three process start-ups.
 *
 * Run: `npm run bench:cluster` (builds first). `clusterFigures()` is the same measurement for bench/run.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startRedisCluster } from '../test/support/redis-cluster-process.js';
import { startRedisServer } from '../src/demo/redis-process.js';
import { seedClusterSessions } from './seed-cluster.js';
import { paddedSessionKey, seedSessions } from './seed-sessions.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TTL = 3600;

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface ClusterFigure {
  id: 'single' | 'cluster' | 'serial';
  label: string;
  /** Keys the audit counted (every round must count them all). */
  keysCounted: number[];
  wallMs: Spread;
  auditMs: Spread;
  keysPerSecond: Spread;
}

export interface ClusterFigures {
  keys: number;
  rounds: number;
  masters: number;
  figures: ClusterFigure[];
  /** single audit time / cluster audit time (medians): > 1 means the cluster audit is faster. */
  speedupVsSingle: number;
  /** serial audit time / cluster audit time (medians): what scanning the masters in parallel buys. */
  parallelSpeedup: number;
  machine: string;
}

const spread = (xs: number[]): Spread => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number };
};

interface Run {
  wallMs: number;
  auditMs: number;
  counted: number;
}

/** One `node dist/cli.js diagnose <env> --full --json`; the audit's duration and count from its report. */
function diagnose(config: string, env: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [join(root, 'dist', 'cli.js'), 'diagnose', env, '--full', '--json', '--config', config],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      const wallMs = performance.now() - t0;
      try {
        const report = JSON.parse(out) as {
          checks: { id: string; durationMs: number }[];
          findings: { id: string; evidence: { sampled?: number } }[];
        };
        const auditMs = report.checks.find((c) => c.id === 'ttl-sample')?.durationMs ?? NaN;
        const counted = report.findings.find((f) => f.id === 'ttl.distribution')?.evidence.sampled ?? NaN;
        resolve({ wallMs, auditMs, counted });
      } catch {
        reject(new Error(`diagnose ${env} gave no JSON report: ${err || out}`));
      }
    });
  });
}

/** Measures the full audit: a single node and a 3-master cluster with `keys` sessions each, `rounds` rounds interleaved. */
export async function clusterFigures(
  opts: { keys?: number; rounds?: number; log?: (line: string) => void } = {},
): Promise<ClusterFigures> {
  const keys = opts.keys ?? 300_000;
  const rounds = opts.rounds ?? 3;
  const log = opts.log ?? (() => undefined);
  const single = await startRedisServer();
  const cluster = await startRedisCluster({ masters: 3 });
  try {
    const nowMs = Date.now();
    const seed = { count: keys, ttlSeconds: TTL, spreadSeconds: 3000, nowMs, noTtlEvery: 100 };
    log(`seeding ${keys.toLocaleString('en-US')} sessions on one node and over 3 masters …`);
    const [, perMaster] = await Promise.all([
      seedSessions({ port: single.port, keyName: paddedSessionKey, ...seed }),
      seedClusterSessions({ masterPorts: cluster.masters.map((m) => m.port), ...seed }),
    ]);
    log(`keys per master: ${[...perMaster.values()].map((n) => n.toLocaleString('en-US')).join(', ')}`);
    const redis = (url: string, extra: Record<string, unknown> = {}) => ({
      profile: 'development',
      expectedTtlSeconds: TTL,
      redis: { url, ...extra },
    });
    const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
    const config = join(dir, 'session-ttl.yaml');
    writeFileSync(
      config,
      stringify({
        environments: {
          single: redis(single.url),
          cluster: redis(cluster.url, { cluster: true }),
          ...Object.fromEntries(cluster.masters.map((m, i) => [`m${i + 1}`, redis(m.url)])),
        },
        // The audit is what is measured: a short rate window keeps the memory check out of the wall time.
        defaults: { rateWindowMs: 100, fullAuditTimeoutMs: 600_000 },
      }),
    );
    const runs = { single: [] as Run[], cluster: [] as Run[], serial: [] as Run[] };
    for (let r = 1; r <= rounds; r++) {
      runs.single.push(await diagnose(config, 'single'));
      runs.cluster.push(await diagnose(config, 'cluster'));
      const parts: Run[] = [];
      for (let i = 1; i <= cluster.masters.length; i++) parts.push(await diagnose(config, `m${i}`));
      runs.serial.push({
        wallMs: parts.reduce((s, p) => s + p.wallMs, 0),
        auditMs: parts.reduce((s, p) => s + p.auditMs, 0),
        counted: parts.reduce((s, p) => s + p.counted, 0),
      });
      log(
        `round ${r}: single ${Math.round(runs.single.at(-1)!.auditMs)} ms, cluster ${Math.round(runs.cluster.at(-1)!.auditMs)} ms, serial ${Math.round(runs.serial.at(-1)!.auditMs)} ms (audit)`,
      );
    }
    const figure = (id: ClusterFigure['id'], label: string, list: Run[]): ClusterFigure => ({
      id,
      label,
      keysCounted: list.map((x) => x.counted),
      wallMs: spread(list.map((x) => x.wallMs)),
      auditMs: spread(list.map((x) => x.auditMs)),
      keysPerSecond: spread(list.map((x) => x.counted / (x.auditMs / 1000))),
    });
    const figures = [
      figure('single', 'one node (standalone), diagnose --full', runs.single),
      figure('cluster', '3 masters, diagnose --full (masters in parallel)', runs.cluster),
      figure('serial', '3 masters one after another (3 x diagnose --full on one master)', runs.serial),
    ];
    const audit = (id: string) => figures.find((f) => f.id === id)!.auditMs.median;
    return {
      keys,
      rounds,
      masters: 3,
      figures,
      speedupVsSingle: audit('single') / audit('cluster'),
      parallelSpeedup: audit('serial') / audit('cluster'),
      machine: `${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    };
  } finally {
    await cluster.stop();
    await single.stop();
  }
}

/** The figures as a Markdown table, for BENCHMARKS.md. */
export function clusterTable(f: ClusterFigures): string {
  const s = (x: Spread, scale: number, digits: number) =>
    `${(x.median / scale).toFixed(digits)} (${(x.min / scale).toFixed(digits)}–${(x.max / scale).toFixed(digits)})`;
  const rows = f.figures.map(
    (x) =>
      `| ${x.label} | ${[...new Set(x.keysCounted)].map((n) => n.toLocaleString('en-US')).join(' / ')} | ${s(x.auditMs, 1000, 2)} | ${s(x.keysPerSecond, 1000, 0)}k | ${s(x.wallMs, 1000, 2)} |`,
  );
  return [
    `Full audit of ${f.keys.toLocaleString('en-US')} sessions, ${f.rounds} interleaved rounds, median (min–max); ${f.machine}`,
    '',
    '| run | keys counted | audit s | keys/s | wall s |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Cluster vs single node: ${f.speedupVsSingle.toFixed(2)}x; parallel vs serial masters: ${f.parallelSpeedup.toFixed(2)}x (audit time, medians).`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { keys: { type: 'string' }, rounds: { type: 'string' } } });
  const f = await clusterFigures({
    ...(values.keys ? { keys: Number(values.keys) } : {}),
    ...(values.rounds ? { rounds: Number(values.rounds) } : {}),
    log: (l) => console.error(l),
  });
  console.log(clusterTable(f));
}
