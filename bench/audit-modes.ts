/**
 * The gentle audit's two promises (issue 12 target 1), measured on the bench's own redis-server:
 *
 * 1. Added p99 of a concurrent GET load: `redis-benchmark -t get -c 20` alone (baseline), then the same
 *    load while `diagnose --full` (gentle, the default) runs, three rounds interleaved; the load starts once the audit is under way
 *    and must end before it does (checked), so every GET of it competes with the audit.
 * 2. SLOWLOG max of the audit's calls: one gentle and one fast audit with `slowlog-log-slower-than 1000`
 *    (calls over 1 ms logged; 0 would slow every call down) and the mean server time of its script calls
 *    from INFO commandstats. Both settings are restored afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { Redis } from 'ioredis';

export interface AuditModeFigures {
  /** Medians of three interleaved rounds. */
  load: {
    requests: number;
    baselineP99Ms: number;
    duringP99Ms: number;
    addedP99Ms: number;
    baselineP50Ms: number;
    duringP50Ms: number;
    overlapped: boolean;
  };
  /** `calls`/`meanUs`: the audit's EVALSHA calls and their mean server time (INFO commandstats). */
  slowlog: {
    mode: 'gentle' | 'fast';
    calls: number;
    meanUs: number;
    maxUs: number;
    command: string;
    over2ms: number;
    over2msByCommand: string;
  }[];
  lines: string[];
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

/** `redis-benchmark -t get -c 20 -n <requests> --csv` against existing keys; p50/p99 from its CSV line. */
/** A GET load on `port`; with `cpu`, redis-benchmark runs pinned to that CPU (`taskset -c`). */
export function getLoad(port: number, requests: number, keys: number, cpu?: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const args = ['-p', String(port), '-t', 'get', '-c', '20', '-n', String(requests), '-r', String(keys), '--csv'];
    const [bin, argv] =
      cpu === undefined ? ['redis-benchmark', args] : ['taskset', ['-c', String(cpu), 'redis-benchmark', ...args]];
    const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
      const line = out.split('\n').find((l) => l.startsWith('"GET"'));
      if (code !== 0 || !line) return reject(new Error(`redis-benchmark exited with ${code}: ${out.slice(-500)}`));
      const f = line.split(',').map((x) => Number(x.replace(/"/g, '')));
      resolve({ rps: f[1] as number, p50: f[4] as number, p99: f[6] as number });
    });
  });
}

function runDiagnose(
  cli: string,
  configPath: string,
  extra: string[],
): { done: Promise<void>; running: () => boolean; stop: () => void } {
  const child = spawn(
    process.execPath,
    [cli, 'diagnose', 'bench', '--config', configPath, '--json', '--full', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let exited = false;
  let stopped = false;
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  const done = new Promise<void>((resolve, reject) =>
    child.once('exit', (code) => {
      exited = true;
      if (stopped || code === 0 || code === 1 || code === 3) resolve();
      else reject(new Error(`diagnose exited with ${code}: ${err}`));
    }),
  );
  // What the figure needs has been measured: end the audit (SIGTERM; the CLI aborts its scan).
  const stop = () => {
    if (exited) return;
    stopped = true;
    child.kill('SIGTERM');
  };
  return { done, running: () => !exited, stop };
}

/** The gentle audit's SLOWLOG is read over its first seconds: its calls are alike, and at 1M keys it runs 30 s. */
const GENTLE_SLOWLOG_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureAuditModes(opts: {
  client: Redis;
  port: number;
  cli: string;
  configPath: string;
  keys: number;
}): Promise<AuditModeFigures> {
  const { client } = opts;
  // The GET load reads `key:__rand_int__`: give it its own keys, outside the audit's pattern.
  spawnSync('redis-benchmark', ['-p', String(opts.port), '-t', 'set', '-c', '20', '-n', '10000', '-r', '10000', '-q'], {
    stdio: 'ignore',
  });

  // 1. p99 of the GET load alone, then during a gentle audit, three times interleaved (medians). The
  //    load is sized to last about 1.5 s.
  const warm = await getLoad(opts.port, 50_000, 10_000);
  const requests = Math.max(20_000, Math.round(warm.rps * 1.5));
  const alone: LoadResult[] = [];
  const withAudit: LoadResult[] = [];
  let overlapped = true;
  for (let round = 0; round < 3; round++) {
    alone.push(await getLoad(opts.port, requests, 10_000));
    const audit = runDiagnose(opts.cli, opts.configPath, []);
    // Start-up and module loading first: the load begins once the audit reads keys.
    const before = Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1] ?? 0);
    for (let i = 0; i < 100; i++) {
      await sleep(50);
      const now = Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1] ?? 0);
      if (now - before > 2000) break;
    }
    withAudit.push(await getLoad(opts.port, requests, 10_000));
    overlapped &&= audit.running();
    // The load is over: the rest of the audit would add minutes to the bench and nothing to the figure.
    audit.stop();
    await audit.done;
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
  const baseline = { p50: mid(alone.map((r) => r.p50)), p99: mid(alone.map((r) => r.p99)) };
  const during = { p50: mid(withAudit.map((r) => r.p50)), p99: mid(withAudit.map((r) => r.p99)) };

  // 2. SLOWLOG of one gentle and one fast audit. Logging every call (threshold 0) would slow each call
  //    down (Redis 7 logs the commands a script calls too), so the log takes calls over 1 ms, and INFO
  //    commandstats gives the count and mean server time of the audit's script calls.
  const [, threshold] = (await client.config('GET', 'slowlog-log-slower-than')) as [string, string];
  const [, maxLen] = (await client.config('GET', 'slowlog-max-len')) as [string, string];
  const slowlog: AuditModeFigures['slowlog'] = [];
  try {
    await client.config('SET', 'slowlog-max-len', '100000');
    for (const [mode, extra] of [
      ['gentle', []],
      ['fast', ['--fast']],
    ] as const) {
      await client.config('SET', 'slowlog-log-slower-than', '1000');
      await client.slowlog('RESET');
      await client.config('RESETSTAT');
      const run = runDiagnose(opts.cli, opts.configPath, [...extra]);
      const timer = mode === 'gentle' ? setTimeout(run.stop, GENTLE_SLOWLOG_MS) : undefined;
      await run.done;
      clearTimeout(timer);
      await client.config('SET', 'slowlog-log-slower-than', threshold);
      const stats = await client.info('commandstats');
      const entries = (await client.slowlog('GET', -1)) as [number, number, number, string[]][];
      // Every call of the diagnosis; only this harness's CONFIG SET and SLOWLOG are left out.
      const audited = entries.filter((e) => {
        const [cmd = '', sub = ''] = e[3].map((a) => a.toUpperCase());
        return !(cmd === 'SLOWLOG' || (cmd === 'CONFIG' && sub === 'SET') || (cmd === 'CONFIG' && sub === 'RESETSTAT'));
      });
      const max = audited.reduce((m, e) => (e[2] > m[2] ? e : m), [0, 0, 0, ['-']] as [
        number,
        number,
        number,
        string[],
      ]);
      const over = audited.filter((e) => e[2] > 2000);
      const byCommand = [...new Set(over.map((e) => (e[3][0] ?? '').toUpperCase()))].map(
        (c) => `${c} ${over.filter((e) => (e[3][0] ?? '').toUpperCase() === c).length}`,
      );
      const evalsha = /cmdstat_evalsha:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(stats);
      slowlog.push({
        mode,
        calls: Number(evalsha?.[1] ?? 0),
        meanUs: Number(evalsha?.[3] ?? 0),
        maxUs: max[2],
        command: (max[3][0] ?? '-').toUpperCase(),
        over2ms: over.length,
        over2msByCommand: byCommand.join(', '),
      });
    }
  } finally {
    await client.config('SET', 'slowlog-log-slower-than', threshold);
    await client.config('SET', 'slowlog-max-len', maxLen);
    await client.slowlog('RESET');
  }

  const load = {
    requests,
    baselineP50Ms: baseline.p50,
    baselineP99Ms: baseline.p99,
    duringP50Ms: during.p50,
    duringP99Ms: during.p99,
    addedP99Ms: Math.round((during.p99 - baseline.p99) * 1000) / 1000,
    overlapped,
  };
  const lines = [
    `GET load (redis-benchmark -t get -c 20 -n ${requests}), 3 interleaved rounds, medians: alone p50 ${baseline.p50} ms p99 ${baseline.p99} ms; during a gentle diagnose --full p50 ${during.p50} ms p99 ${during.p99} ms`,
    `  p99 per round: alone ${alone.map((r) => r.p99).join(' / ')} ms; during ${withAudit.map((r) => r.p99).join(' / ')} ms`,
    `gentle audit adds ${load.addedP99Ms} ms to the p99 (target < 1 ms: ${load.addedP99Ms < 1 ? 'PASS' : 'MISS'})${overlapped ? '' : ' — WARNING: the audit ended before the load did'}`,
    ...slowlog.map(
      (s) =>
        `${s.mode} diagnose --full${s.mode === 'gentle' ? ` (its first ${GENTLE_SLOWLOG_MS / 1000} s)` : ''}: ${s.calls} script calls, mean ${(s.meanUs / 1000).toFixed(3)} ms server time each; SLOWLOG max ${(s.maxUs / 1000).toFixed(3)} ms (${s.command}), ${s.over2ms} calls over 2 ms${s.over2ms ? ` (${s.over2msByCommand}; a PTTL or SCAN called by the script over 2 ms is the server descheduled, not work)` : ''}${s.mode === 'gentle' ? ` (target: none over 2 ms: ${s.over2ms === 0 ? 'PASS' : 'MISS'})` : ''}`,
    ),
  ];
  return { load, slowlog, lines };
}
