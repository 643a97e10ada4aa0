/**
 * Audits from a replica (issue 20, `npm run bench` or `tsx bench/replica-reads.ts [--keys N]`): its own
 * primary and replica (`--replicaof`), N realistic sessions seeded on the primary and replicated, and
 * `node dist/cli.js diagnose bench --full --fast --json` with `redis.replicas` (readFrom replica).
 *
 * 1. Commands the primary received during the audit: INFO commandstats before/after (CONFIG RESETSTAT is
 *    not used, so nothing else's counters move): every keyspace command (SCAN, PTTL, EVAL*, GET, ...) must be 0.
 * 2. GET p99 of a `redis-benchmark -t get -c 20` load on the primary alone, then while the audit runs on
 *    the replica (same run, three rounds interleaved, medians), printed as a ratio.
 * 3. The `--fast` audit pass's wall time (durationMs in the report) / the Redis CPU it used (used_cpu_user +
 *    used_cpu_sys delta of the node read), and the bot's CPU during the pass (process.cpuUsage, cpuMs in the
 *    report) / that Redis CPU: once on the replica here; the main table prints the same for the primary.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer } from '../src/demo/redis-process.js';
import { getLoad, type LoadResult } from './audit-modes.js';
import { paddedSessionKey, seedSessions } from './seed-sessions.js';

const KEYSPACE = /^cmdstat_(scan|pttl|eval|evalsha|eval_ro|evalsha_ro|get|hgetall|dbsize|type|exists|ttl)$/;

export interface ReplicaReadsFigures {
  keys: number;
  /** Keyspace commands the primary received during the audit (must be 0), and all its commands. */
  primaryKeyspaceCommands: number;
  primaryCommands: number;
  load: {
    requests: number;
    aloneP99Ms: number;
    duringP99Ms: number;
    ratio: number;
    /** The same load while the audit reads the primary instead (readFrom: primary). */
    duringPrimaryAuditP99Ms: number;
    /** The control: the same load while a neighbour keeps the replica's server busy (nothing on the primary). */
    besideNeighbourP99Ms: number;
    overlapped: boolean;
  };
  pass: { wallMs: number; redisCpuMs: number; botCpuMs: number; wallPerRedisCpu: number; botPerRedisCpu: number };
  lines: string[];
}

function commandCalls(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^(cmdstat_[a-z_|]+):calls=(\d+)/gm)) out.set(m[1] ?? '', Number(m[2]));
  return out;
}

async function cpuMs(c: Redis): Promise<number> {
  const info = await c.info('cpu');
  const num = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (num('used_cpu_user') + num('used_cpu_sys')) * 1000;
}

interface AuditPass {
  durationMs: number;
  cpuMs: number;
  sampled: number;
  /** script | lean per node, and why not the script. */
  path: string;
}

interface AuditRun {
  done: Promise<AuditPass>;
  running: () => boolean;
}

/**
 * Pins a process and its threads to one CPU (`taskset`), or returns false where it cannot: the bench
 * then runs unpinned and says so.
 */
function pin(pid: number | undefined, cpu: number): boolean {
  return pid !== undefined && spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)]).status === 0;
}

/**
 * The CPUs of the primary's side (it and its GET load) and the replica's (it and the neighbour). The bot is
 * left to the scheduler: pinned beside the replica it would take that CPU from the audit it measures.
 */
const PRIMARY_CPU = 0;
const REPLICA_CPU = 1;

function runAudit(cli: string, config: string, env = 'bench'): AuditRun {
  const child = spawn(process.execPath, [cli, 'diagnose', env, '--config', config, '--json', '--full', '--fast'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exited = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  const done = new Promise<AuditPass>((resolve, reject) =>
    child.once('exit', (code) => {
      exited = true;
      if (code !== 0 && code !== 1 && code !== 3) return reject(new Error(`diagnose exited with ${code}: ${err}`));
      const report = JSON.parse(out) as { findings: { id: string; evidence?: Record<string, unknown> }[] };
      const ev = report.findings.find((f) => f.id === 'ttl.distribution')?.evidence as
        | { sampled: number; audit?: { durationMs: number; cpuMs?: number; paths: { path: string }[]; note?: string } }
        | undefined;
      const source = report.findings.find((f) => f.id === 'replica_reads.source');
      if (!source)
        return reject(
          new Error(`the audit did not read the replica: ${JSON.stringify(report.findings.map((f) => f.id))}`),
        );
      const path = `${ev?.audit?.paths.map((x) => x.path).join(',') ?? '?'}${ev?.audit?.note ? ` (${ev.audit.note})` : ''}`;
      resolve({
        durationMs: ev?.audit?.durationMs ?? NaN,
        cpuMs: ev?.audit?.cpuMs ?? NaN,
        sampled: ev?.sampled ?? 0,
        path,
      });
    }),
  );
  return { done, running: () => !exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

export async function runReplicaReadsBench(opts: { cli: string; keys: number }): Promise<ReplicaReadsFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-replica-'));
  const primary = await startRedisServer(['--dir', dir, '--save', '', '--appendonly', 'no']);
  const replica = await startRedisServer([
    '--dir',
    dir,
    '--save',
    '',
    '--replicaof',
    '127.0.0.1',
    String(primary.port),
  ]);
  // As on separate hosts: the primary and its GET load on one CPU, the replica on the other.
  const pinned = cpus().length >= 2 && pin(primary.process.pid, PRIMARY_CPU) && pin(replica.process.pid, REPLICA_CPU);
  const primaryCpu = pinned ? PRIMARY_CPU : undefined;
  const replicaCpu = pinned ? REPLICA_CPU : undefined;
  const p = new Redis({ port: primary.port, lazyConnect: false });
  const r = new Redis({ port: replica.port, lazyConnect: false });
  try {
    const now = Date.now();
    await seedSessions({
      port: primary.port,
      count: opts.keys,
      ttlSeconds: 3600,
      spreadSeconds: 3000,
      nowMs: now,
      keyName: paddedSessionKey,
      noTtlEvery: 50,
      realistic: true,
    });
    // The GET load reads `key:__rand_int__`: its own keys, outside the audit's pattern.
    const sets = p.pipeline();
    for (let i = 0; i < 10_000; i++) sets.set(`key:${String(i).padStart(12, '0')}`, 'x'.repeat(64));
    await sets.exec();
    if ((await p.call('WAIT', 1, 60_000)) !== 1) throw new Error('the replica did not catch up');
    const config = join(dir, 'session-ttl.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        environments: {
          bench: {
            profile: 'development',
            redis: { url: `redis://127.0.0.1:${primary.port}`, replicas: [`redis://127.0.0.1:${replica.port}`] },
          },
          // The comparison: the same audit on the primary.
          'on-primary': {
            profile: 'development',
            redis: {
              url: `redis://127.0.0.1:${primary.port}`,
              replicas: [`redis://127.0.0.1:${replica.port}`],
              readFrom: 'primary',
            },
          },
        },
      }),
    );

    // 1 and 3: one audit alone, commandstats of the primary and CPU of the replica around it.
    const before = commandCalls(await p.info('commandstats'));
    const cpuBefore = await cpuMs(r);
    const pass = await runAudit(opts.cli, config).done;
    const cpuAfter = await cpuMs(r);
    const after = commandCalls(await p.info('commandstats'));
    if (pass.sampled !== opts.keys) throw new Error(`the audit counted ${pass.sampled} keys, expected ${opts.keys}`);
    let keyspaceCommands = 0;
    let commands = 0;
    for (const [k, v] of after) {
      const d = v - (before.get(k) ?? 0);
      commands += d;
      if (KEYSPACE.test(k)) keyspaceCommands += d;
    }
    const redisCpu = cpuAfter - cpuBefore;

    // 2: the GET load on the primary alone and during an audit on the replica, three rounds interleaved.
    const warm = await getLoad(primary.port, 50_000, 10_000, primaryCpu);
    const requests = Math.max(20_000, Math.round(warm.rps * Math.min(1.5, Math.max(0.3, pass.durationMs / 2000))));
    const alone: LoadResult[] = [];
    const during: LoadResult[] = [];
    const duringPrimary: LoadResult[] = [];
    let overlapped = true;
    /** The GET load while `env`'s audit reads `node`: it starts once `node` answers the audit's keyspace calls. */
    const loadDuring = async (env: string, node: Redis): Promise<LoadResult> => {
      const audit = runAudit(opts.cli, config, env);
      const keyspaceCalls = async () =>
        [...commandCalls(await node.info('commandstats'))].reduce((n, [k, v]) => n + (KEYSPACE.test(k) ? v : 0), 0);
      const startedCalls = await keyspaceCalls();
      for (let i = 0; i < 400 && audit.running() && (await keyspaceCalls()) === startedCalls; i++) await sleep(10);
      const load = await getLoad(primary.port, requests, 10_000, primaryCpu);
      overlapped &&= audit.running();
      await audit.done;
      return load;
    };
    /**
     * The control: the same load beside a neighbour that keeps the replica's server as busy as the audit
     * does (a pipelined PTTL load on the replica) and sends nothing to the primary. On a machine where
     * both servers share few cores, what the audit adds beyond this is what reading the replica costs.
     */
    const besideNeighbour = async (): Promise<LoadResult> => {
      const args = ['-p', String(replica.port), '-P', '64', '-c', '1', '-n', '100000000', '-r', '10000'];
      const neighbourArgv = ['redis-benchmark', ...args, 'PTTL', 'key:__rand_int__'];
      const [bin, argv] =
        replicaCpu === undefined
          ? ['redis-benchmark', neighbourArgv.slice(1)]
          : ['taskset', ['-c', String(replicaCpu), ...neighbourArgv]];
      const neighbour = spawn(bin, argv, { stdio: 'ignore' });
      await sleep(300);
      try {
        return await getLoad(primary.port, requests, 10_000, primaryCpu);
      } finally {
        neighbour.kill();
      }
    };
    const neighbour: LoadResult[] = [];
    for (let round = 0; round < 3; round++) {
      alone.push(await getLoad(primary.port, requests, 10_000, primaryCpu));
      during.push(await loadDuring('bench', r));
      neighbour.push(await besideNeighbour());
      duringPrimary.push(await loadDuring('on-primary', p));
    }
    const neighbourP99 = mid(neighbour.map((x) => x.p99));
    const aloneP99 = mid(alone.map((x) => x.p99));
    const duringP99 = mid(during.map((x) => x.p99));
    const primaryP99 = mid(duringPrimary.map((x) => x.p99));
    const figures: ReplicaReadsFigures = {
      keys: opts.keys,
      primaryKeyspaceCommands: keyspaceCommands,
      primaryCommands: commands,
      load: {
        requests,
        aloneP99Ms: aloneP99,
        duringP99Ms: duringP99,
        ratio: duringP99 / aloneP99,
        duringPrimaryAuditP99Ms: primaryP99,
        besideNeighbourP99Ms: neighbourP99,
        overlapped,
      },
      pass: {
        wallMs: pass.durationMs,
        redisCpuMs: redisCpu,
        botCpuMs: pass.cpuMs,
        wallPerRedisCpu: pass.durationMs / redisCpu,
        botPerRedisCpu: pass.cpuMs / redisCpu,
      },
      lines: [],
    };
    figures.lines = [
      `replica reads (${opts.keys.toLocaleString('en-US')} keys, redis.replicas, diagnose --full --fast on the replica):`,
      pinned
        ? `  pinned as on separate hosts: the primary and its GET load on CPU ${PRIMARY_CPU}, the replica and the neighbour on CPU ${REPLICA_CPU} (taskset); the bot unpinned`
        : '  NOT pinned (fewer than 2 CPUs, or no taskset): the replica and the primary share CPUs, so the p99 below also measures that',
      `  primary received ${keyspaceCommands} keyspace commands (SCAN/PTTL/EVAL*/GET/...; target 0: ${keyspaceCommands === 0 ? 'PASS' : 'MISS'}) of ${commands} in all (INFO, CONFIG GET, ... for the checks)`,
      `  GET load on the primary (-c 20 -n ${requests}), 3 interleaved rounds: p99 alone ${aloneP99} ms, during the audit ${duringP99} ms: ${(duringP99 / aloneP99).toFixed(2)}x${overlapped ? '' : ' (WARNING: an audit ended before its load did)'}`,
      `  p99 per round: alone ${alone.map((x) => x.p99).join(' / ')} ms; during ${during.map((x) => x.p99).join(' / ')} ms`,
      `  control, a neighbour as busy on the replica (pipelined PTTL there, nothing on the primary): p99 ${neighbourP99} ms (${(neighbourP99 / aloneP99).toFixed(2)}x alone; the audit's p99 is ${(duringP99 / neighbourP99).toFixed(2)}x the control's; per round ${neighbour.map((x) => x.p99).join(' / ')} ms)`,
      `  for comparison, the same audit reading the primary (readFrom: primary): p99 ${primaryP99} ms (${(primaryP99 / aloneP99).toFixed(2)}x; per round ${duringPrimary.map((x) => x.p99).join(' / ')} ms)`,
      `  audit pass on the replica (${pass.path}): ${(pass.durationMs / 1000).toFixed(2)} s wall for ${(redisCpu / 1000).toFixed(2)} s of Redis CPU (${figures.pass.wallPerRedisCpu.toFixed(2)}x; target <= 1.1x); bot CPU ${(pass.cpuMs / 1000).toFixed(2)} s = ${figures.pass.botPerRedisCpu.toFixed(2)}x Redis' (target < 0.4x)`,
    ];
    return figures;
  } finally {
    p.disconnect();
    r.disconnect();
    await Promise.all([primary.stop(), replica.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { keys: { type: 'string', default: '100000' } } });
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const figures = await runReplicaReadsBench({ cli, keys: Number(values.keys) });
  console.log(figures.lines.join('\n'));
}
