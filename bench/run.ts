/**
 * `npm run bench [-- --quick] [-- --keys N] [-- --rounds N] [-- --no-latency]`
 *
 * One honest table for issue 12. It starts its own redis-server, seeds it with `redis-cli --pipe`
 * (realistic ~300-byte JSON sessions, a TTL on all but every 50th key), prints the machine (cores,
 * load, Node and Redis versions) and then runs every figure beside its baseline INTERLEAVED: each round
 * runs all figures once (the order rotates per round so that no figure always goes first), and there are
 * three rounds. Every figure is its own process, timed from spawn to exit, with client CPU and peak RSS
 * from `/usr/bin/time -f '%e %U %S %M'` and Redis CPU from INFO cpu before/after. The table shows the
 * median and the spread (min–max) of each, and the ratio of medians against the figure's baseline.
 *
 * The full-audit baseline is ioredis `SCAN COUNT 1000` listing plus `redis-benchmark -P 64` PTTL over
 * the same number of random keys. The keys are seeded as `session:%012d` because that is exactly what
 * redis-benchmark `-r N` expands `session:__rand_int__` to (12 digits, 0..N-1), so every PTTL it sends
 * hits a seeded key (the table checks keyspace misses stay 0). redis-benchmark draws with replacement,
 * so N requests touch about 63% (1 - 1/e) distinct keys; a PTTL costs the same on a repeated key (one
 * dict lookup, the whole keyspace is in memory either way), so the request count N is what matters.
 *
 * The shipped process is measured as a user runs it: `node dist/cli.js diagnose bench --full --config
 * <tmp>` (so run `npm run build` first; `npm run bench` does). Results: bench/results/latest.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer } from '../src/demo/redis-process.js';
import { paddedSessionKey, seedSessions } from './seed-sessions.js';
import { measureAuditModes, type AuditModeFigures } from './audit-modes.js';
import { runDoNoHarmBench, type DoNoHarmResult } from './do-no-harm.js';
import { runReplicaReadsBench, type ReplicaReadsFigures } from './replica-reads.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    keys: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    'no-latency': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const N = Number(args.keys ?? (args.quick ? 100_000 : 1_000_000));
const ROUNDS = Number(args.rounds);
const TTL = 3600;
const NO_TTL_EVERY = 50;
const PTTL_PIPELINE = 64;
if (!Number.isInteger(N) || N < 1000 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`--keys must be a whole number >= 1000 and --rounds >= 1 (got ${N}, ${ROUNDS}).`);
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();
const fmt = (v: number, digits = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const stat = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: xs });

// --- the machine -----------------------------------------------------------------------------

const machine = {
  cores: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? 'unknown',
  loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  loadAtEnd: [] as number[],
  node: process.version,
  redis: spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim(),
  redisBenchmark: spawnSync('redis-benchmark', ['--version'], { encoding: 'utf8' }).stdout.trim(),
};
console.log(
  `machine: ${machine.cores} cores (${machine.cpuModel}), load ${machine.loadAtStart.join(' ')}, Node ${machine.node}`,
);
console.log(`         ${machine.redis}`);

const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` first (`npm run bench` does).');
  process.exit(2);
}
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) {
  console.error('/usr/bin/time is missing (Debian/Ubuntu: apt-get install time).');
  process.exit(2);
}

/**
 * Compiles bench/references.ts to JS under node_modules/.cache (so `ioredis` resolves) so the references
 * run under plain node like the shipped CLI; tsx's loader would add start-up time and ~30 MB of RSS.
 */
function compileReferences(): string {
  const outDir = join(root, 'node_modules', '.cache', 'session-ttl-bench');
  rmSync(outDir, { recursive: true, force: true });
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--outDir',
      outDir,
      '--rootDir',
      join(root, 'bench'),
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--target',
      'ES2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--strict',
      join(root, 'bench', 'references.ts'),
    ],
    { encoding: 'utf8' },
  );
  const entry = join(outDir, 'references.js');
  if (!existsSync(entry)) throw new Error(`could not compile bench/references.ts:\n${r.stdout}${r.stderr}`);
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
  return entry;
}

// --- one measured process --------------------------------------------------------------------

interface Sample {
  wallMs: number;
  clientCpuMs: number;
  redisCpuMs: number;
  peakRssMb: number;
  misses: number;
  stdout: string;
}

async function redisStats(client: Redis): Promise<{ cpuMs: number; misses: number }> {
  const info = await client.info();
  const num = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return { cpuMs: (num('used_cpu_user') + num('used_cpu_sys')) * 1000, misses: num('keyspace_misses') };
}

/** Spawns `cmd` under /usr/bin/time; resolves once it exits 0 (or one of `okCodes`). */
function timedProcess(
  cmd: string,
  cmdArgs: string[],
  okCodes: number[] = [0],
): Promise<Omit<Sample, 'redisCpuMs' | 'misses'>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const timeFile = join(dir, 'time');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...cmdArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-2_000_000)));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = performance.now() - t0;
      const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
      rmSync(dir, { recursive: true, force: true });
      const [, user, sys, rssKb] = line.split(' ').map(Number) as [number, number, number, number];
      if (!okCodes.includes(code ?? -1))
        return reject(new Error(`${cmd} ${cmdArgs.join(' ')} exited with ${code}:\n${err}${out.slice(-2000)}`));
      resolve({ wallMs, clientCpuMs: (user + sys) * 1000, peakRssMb: rssKb / 1024, stdout: out });
    });
  });
}

interface Figure {
  id: string;
  label: string;
  /** The id of the figure (or combination) this one is compared against. */
  baseline?: string;
  /** Keys this figure goes through (for keys/s); undefined for start-up figures. */
  keys?: number;
  /** `ratio`: baseline median wall / this median wall (> 1 is faster); `delta`: seconds over the baseline. */
  compare?: 'ratio' | 'delta';
  run(): Promise<Sample>;
}

// --- set-up ----------------------------------------------------------------------------------

const server = await startRedisServer();
const client = new Redis(server.url, { lazyConnect: true });
const work = mkdtempSync(join(tmpdir(), 'session-ttl-bench-'));
try {
  await client.connect();
  const refs = compileReferences();
  console.log(
    `redis-server on port ${server.port}; seeding ${fmt(N)} sessions (TTL ${TTL} s, every ${NO_TTL_EVERY}th without TTL)...`,
  );
  const t = performance.now();
  await seedSessions({
    port: server.port,
    count: N,
    ttlSeconds: TTL,
    spreadSeconds: 3000,
    nowMs: Date.now(),
    keyName: paddedSessionKey,
    noTtlEvery: NO_TTL_EVERY,
    realistic: true,
  });
  const seeded = Number(/db0:keys=(\d+),expires=(\d+)/.exec(await client.info('keyspace'))?.[1] ?? 0);
  const expires = Number(/db0:keys=\d+,expires=(\d+)/.exec(await client.info('keyspace'))?.[1] ?? 0);
  const usedMemory = /used_memory_human:(\S+)/.exec(await client.info('memory'))?.[1];
  console.log(
    `seeded ${fmt(seeded)} keys (${fmt(seeded - expires)} without TTL, ${usedMemory}) in ${fmt((performance.now() - t) / 1000, 1)} s`,
  );
  if (seeded !== N) throw new Error(`expected ${N} keys, found ${seeded}`);

  const configPath = join(work, 'session-ttl.yaml');
  writeFileSync(
    configPath,
    [
      'environments:',
      '  bench:',
      '    profile: development',
      `    expectedTtlSeconds: ${TTL}`,
      '    slidingWindow: false',
      '    redis:',
      `      url: ${server.url}`,
      '      keyPattern: "session:*"',
      '',
    ].join('\n'),
  );

  const measured = async (run: () => Promise<Omit<Sample, 'redisCpuMs' | 'misses'>>): Promise<Sample> => {
    const before = await redisStats(client);
    const s = await run();
    const after = await redisStats(client);
    return { ...s, redisCpuMs: after.cpuMs - before.cpuMs, misses: after.misses - before.misses };
  };
  const reference = (mode: string) => () =>
    measured(() => timedProcess(process.execPath, [refs, mode, String(server.port)]));
  const pttlBench = () =>
    timedProcess('redis-benchmark', [
      '-p',
      String(server.port),
      '-c',
      '1',
      '-n',
      String(N),
      '-r',
      String(N),
      '-P',
      String(PTTL_PIPELINE),
      '-q',
      'PTTL',
      'session:__rand_int__',
    ]);
  // diagnose exits 1 or 3 when it finds something (every 50th key has no TTL): that is a finished run.
  const diagnose = (extra: string[]) => () =>
    measured(() =>
      timedProcess(process.execPath, [cli, 'diagnose', 'bench', '--config', configPath, '--json', ...extra], [0, 1, 3]),
    );

  const figures: Figure[] = [
    { id: 'list', label: 'baseline: ioredis SCAN COUNT 1000, listing only', keys: N, run: reference('list') },
    {
      id: 'pttl',
      label: `baseline: redis-benchmark -P ${PTTL_PIPELINE} -c 1 -r N PTTL`,
      keys: N,
      run: () => measured(pttlBench),
    },
    {
      id: 'list+pttl-overlapped',
      label: 'baseline: listing and PTTL run at the same time',
      baseline: 'list+pttl',
      keys: N,
      run: async () => {
        const before = await redisStats(client);
        const t0 = performance.now();
        const [a, b] = await Promise.all([
          timedProcess(process.execPath, [refs, 'list', String(server.port)]),
          pttlBench(),
        ]);
        const after = await redisStats(client);
        return {
          wallMs: performance.now() - t0,
          clientCpuMs: a.clientCpuMs + b.clientCpuMs,
          peakRssMb: Math.max(a.peakRssMb, b.peakRssMb),
          redisCpuMs: after.cpuMs - before.cpuMs,
          misses: after.misses - before.misses,
          stdout: a.stdout,
        };
      },
    },
    {
      id: 'naive',
      label: 'reference: naive ioredis SCAN + pipelined PTTL',
      baseline: 'list+pttl',
      keys: N,
      run: reference('naive'),
    },
    {
      id: 'lean',
      label: 'reference: SCAN + PTTL pipeline as raw RESP',
      baseline: 'list+pttl',
      keys: N,
      run: reference('lean'),
    },
    {
      id: 'lua',
      label: 'reference: Lua per SCAN batch, histogram only',
      baseline: 'list+pttl',
      keys: N,
      run: reference('lua'),
    },
    {
      id: 'diagnose-full',
      label:
        'session-ttl diagnose --full, gentle (the default: paced) (node dist/cli.js; wall includes start-up and the 250 ms eviction-rate window)',
      baseline: 'list+pttl',
      keys: N,
      run: diagnose(['--full']),
    },
    {
      id: 'diagnose-full-fast',
      label:
        'session-ttl diagnose --full --fast (node dist/cli.js; wall includes start-up and the 250 ms eviction-rate window)',
      baseline: 'list+pttl',
      keys: N,
      run: diagnose(['--full', '--fast']),
    },
    {
      id: 'node-e-0',
      label: 'start baseline: node -e 0',
      run: () => measured(() => timedProcess(process.execPath, ['-e', '0'])),
    },
    {
      id: 'envs',
      label: 'start: session-ttl envs (node dist/cli.js)',
      baseline: 'node-e-0',
      compare: 'delta',
      run: () => measured(() => timedProcess(process.execPath, [cli, 'envs', '--config', configPath])),
    },
    {
      id: 'diagnose-sampled',
      label: 'session-ttl diagnose, 1000-key sample',
      baseline: 'node-e-0',
      compare: 'delta',
      run: diagnose([]),
    },
  ];

  const samples = new Map<string, Sample[]>(figures.map((f) => [f.id, []]));
  const auditPass = new Map<string, Sample[]>();
  // Issue 20: the audit pass stays Redis-bound (wall <= 1.1x the Redis CPU it used, bot CPU < 0.4x Redis').
  const passCpu = new Map<string, { wallMs: number; redisCpuMs: number; botCpuMs: number }[]>();
  for (let round = 0; round < ROUNDS; round++) {
    const order = figures.map((_, i) => figures[(i + round * 3) % figures.length] as Figure);
    for (const f of order) {
      const s = await f.run();
      samples.get(f.id)!.push(s);
      if (f.keys !== undefined && f.id !== 'pttl' && f.id !== 'list+pttl-overlapped') {
        const line = s.stdout.trim().split('\n').pop() ?? '';
        if (line.startsWith('{"mode"')) {
          const r = JSON.parse(line) as { keys: number; noTtl: number };
          if (r.keys !== N) throw new Error(`${f.id} counted ${r.keys} keys, expected ${N}`);
          if (f.id !== 'list' && r.noTtl !== N - expires)
            throw new Error(`${f.id} counted ${r.noTtl} keys without TTL, expected ${N - expires}`);
        } else if (f.id.startsWith('diagnose-full')) {
          const report = JSON.parse(s.stdout) as {
            findings?: {
              id: string;
              evidence?: {
                sampled?: number;
                audit?: { durationMs: number; cpuMs?: number; paths: { path: string }[] };
              };
            }[];
          };
          const evidence = report.findings?.find((x) => x.id === 'ttl.distribution')?.evidence;
          const sampled = evidence?.sampled;
          if (sampled !== N) throw new Error(`diagnose --full audited ${sampled} keys, expected ${N}`);
          // The audit pass alone (its own wall, from the report): what the process wall hides behind start-up.
          if (evidence?.audit) {
            passCpu.set(f.id, [
              ...(passCpu.get(f.id) ?? []),
              { wallMs: evidence.audit.durationMs, redisCpuMs: s.redisCpuMs, botCpuMs: evidence.audit.cpuMs ?? NaN },
            ]);
            auditPass.set(f.id, [
              ...(auditPass.get(f.id) ?? []),
              {
                ...s,
                wallMs: evidence.audit.durationMs,
                peakRssMb: s.peakRssMb,
                stdout: evidence.audit.paths.map((p) => p.path).join(','),
              },
            ]);
          }
        }
      }
      process.stdout.write(
        `round ${round + 1}/${ROUNDS}  ${f.label.padEnd(52)} ${fmt(s.wallMs / 1000, 2).padStart(7)} s  ${fmt(s.peakRssMb, 0).padStart(4)} MB\n`,
      );
    }
  }
  // The sum baseline: per round, listing + PTTL (what the audit must beat without overlapping them).
  const list = samples.get('list')!;
  const pttl = samples.get('pttl')!;
  samples.set(
    'list+pttl',
    list.map((l, i) => {
      const p = pttl[i] as Sample;
      return {
        wallMs: l.wallMs + p.wallMs,
        clientCpuMs: l.clientCpuMs + p.clientCpuMs,
        redisCpuMs: l.redisCpuMs + p.redisCpuMs,
        peakRssMb: Math.max(l.peakRssMb, p.peakRssMb),
        misses: l.misses + p.misses,
        stdout: '',
      };
    }),
  );
  figures.splice(2, 0, {
    id: 'list+pttl',
    label: 'BASELINE: listing + PTTL (sum of the two above)',
    keys: N,
    run: () => Promise.reject(new Error('derived')),
  });
  for (const [id, passes] of auditPass) {
    samples.set(`${id}:pass`, passes);
    const at = figures.findIndex((f) => f.id === id);
    const path = passes[0]?.stdout ?? '';
    figures.splice(at + 1, 0, {
      id: `${id}:pass`,
      label: `  its audit pass alone (${path}; durationMs in the report; client CPU, RSS: whole process)`,
      baseline: 'list+pttl',
      keys: N,
      run: () => Promise.reject(new Error('derived')),
    });
  }

  const rows = figures.map((f) => {
    const s = samples.get(f.id)!;
    const wall = stat(s.map((x) => x.wallMs));
    const base = f.baseline ? stat(samples.get(f.baseline)!.map((x) => x.wallMs)) : undefined;
    return {
      id: f.id,
      label: f.label,
      baseline: f.baseline ?? null,
      wallMs: wall,
      clientCpuMs: stat(s.map((x) => x.clientCpuMs)),
      redisCpuMs: stat(s.map((x) => x.redisCpuMs)),
      peakRssMb: stat(s.map((x) => x.peakRssMb)),
      keyspaceMisses: s.reduce((a, x) => a + x.misses, 0),
      keysPerSecond: f.keys !== undefined ? f.keys / (wall.median / 1000) : null,
      // > 1: faster than its baseline (ratio of median walls, baseline / figure).
      speedVsBaseline: base && f.compare !== 'delta' ? base.median / wall.median : null,
      // Start-up figures: seconds of its own beyond `node -e 0` (difference of medians).
      secondsOverBaseline: base && f.compare === 'delta' ? (wall.median - base.median) / 1000 : null,
    };
  });

  // --- the table -------------------------------------------------------------------------------
  const spread = (x: { median: number; min: number; max: number }, scale: number, digits: number) =>
    `${fmt(x.median / scale, digits)} (${fmt(x.min / scale, digits)}–${fmt(x.max / scale, digits)})`;
  const header = ['figure', 'wall s', 'client CPU s', 'Redis CPU s', 'peak RSS MB', 'keys/s', 'vs baseline'];
  const table = rows.map((r) => [
    r.label,
    spread(r.wallMs, 1000, 2),
    spread(r.clientCpuMs, 1000, 2),
    spread(r.redisCpuMs, 1000, 2),
    spread(r.peakRssMb, 1, 0),
    r.keysPerSecond === null ? '' : fmt(r.keysPerSecond),
    r.speedVsBaseline !== null
      ? `${fmt(r.speedVsBaseline, 2)}x`
      : r.secondsOverBaseline !== null
        ? `+${fmt(r.secondsOverBaseline, 2)} s`
        : '',
  ]);
  machine.loadAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  const totalS = (performance.now() - started) / 1000;
  const md = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...table.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  console.log('');
  console.log(
    `${fmt(N)} keys, ${ROUNDS} interleaved rounds; median (min–max); "vs baseline" = baseline median wall / figure median wall (> 1 is faster), or for start-up figures the seconds beyond node -e 0`,
  );
  console.log(md);
  console.log(
    `keyspace misses during the PTTL baseline: ${rows.find((r) => r.id === 'pttl')?.keyspaceMisses} (0 = every random key was a seeded one)`,
  );
  console.log(
    `load ${machine.loadAtStart.join(' ')} at start, ${machine.loadAtEnd.join(' ')} at end; ${fmt(totalS, 0)} s in all`,
  );

  const cpuLines = [...passCpu].map(([id, xs]) => {
    const wallPer = xs.map((x) => x.wallMs / x.redisCpuMs);
    const botPer = xs.map((x) => x.botCpuMs / x.redisCpuMs);
    const r = (v: number) => `${fmt(v, 2)}x`;
    return (
      `${id} audit pass: wall / Redis CPU ${r(median(wallPer))} (${wallPer.map(r).join(' / ')}; target <= 1.1x), ` +
      `bot CPU (process.cpuUsage during the pass) / Redis CPU ${r(median(botPer))} (${botPer.map(r).join(' / ')}; target < 0.4x); ` +
      `Redis CPU is the whole diagnose's (used_cpu_user+used_cpu_sys delta)`
    );
  });
  console.log(cpuLines.join('\n'));

  // --- audits from a replica (issue 20): 0 keyspace commands on the primary, GET p99 on it, CPU ratios ---
  const replicaReads: ReplicaReadsFigures | undefined = args['no-latency']
    ? undefined
    : await runReplicaReadsBench({ cli, keys: N });
  if (replicaReads) console.log(`\n${replicaReads.lines.join('\n')}`);

  // --- the gentle audit on a live store: added GET p99 and SLOWLOG (issue 12; one run) ------------
  let auditModes: AuditModeFigures | undefined;
  if (!args['no-latency']) {
    console.log('\naudit modes: GET p99 alone vs during a gentle diagnose --full, and SLOWLOG of each mode (one run)');
    auditModes = await measureAuditModes({ client, port: server.port, cli, configPath, keys: N });
    console.log(auditModes.lines.join('\n'));
  }
  // The SLOWLOG and eviction figures the suite used to assert (small stores of their own; one line per round).
  const doNoHarm: DoNoHarmResult | undefined = args['no-latency'] ? undefined : await runDoNoHarmBench();

  // --- latency benchmarks (their own same-run baselines; one run each) ----------------------------
  const latency: Record<string, string[]> = {};
  if (!args['no-latency']) {
    for (const [name, script] of [
      ['ack', 'ack-latency.ts'],
      ['webhook', 'webhook-latency.ts'],
    ] as const) {
      console.log(`\n${name}: tsx bench/${script} (one run, its baseline in the same run)`);
      const r = await timedProcess(process.execPath, ['--import', 'tsx', join(root, 'bench', script)]).catch(
        (e: Error) => ({ stdout: `failed: ${e.message}` }),
      );
      latency[name] = r.stdout
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('{'));
      console.log(latency[name].join('\n'));
    }
    // The session monitor (issue 12 target 6): events per second handled, none lost, bytes per session.
    console.log('\nmonitor: node --expose-gc bench/monitor.ts (one run; its own redis-server)');
    const m = await timedProcess(process.execPath, [
      '--expose-gc',
      '--import',
      'tsx',
      join(root, 'bench', 'monitor.ts'),
    ]).catch((e: Error) => ({ stdout: `failed: ${e.message}` }));
    latency.monitor = m.stdout
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('{'));
    console.log(latency.monitor.join('\n'));
    await (await import('./sampled-diagnose.js')).runSampledDiagnoseBench();
  }

  const out = args.out ?? join(root, 'bench', 'results', 'latest.json');
  mkdirSync(join(out, '..'), { recursive: true });
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  writeFileSync(
    out,
    `${JSON.stringify({ command, date: new Date().toISOString(), keys: N, rounds: ROUNDS, keysWithoutTtl: N - expires, machine, totalSeconds: Math.round(totalS), rows, markdown: md, cpuLines, replicaReads, latency, auditModes, doNoHarm }, null, 2)}\n`,
  );
  console.log(`\nwrote ${out}`);
} finally {
  client.disconnect();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
