/**
 * `npx tsx bench/start.ts [--rounds N] [--dist DIR]`: start-up of the shipped processes (issue 12,
 * target 3), each beside `node -e 0` in the same run, interleaved round by round (the order rotates so
 * that no figure always goes first). Every figure is its own process under `/usr/bin/time`, timed from
 * spawn to exit (or, for the bot, to the first `GET /healthz` 200); the table shows the median and the
 * spread (min–max), and each figure's seconds beyond the median of `node -e 0`.
 *
 * - `envs`: `node dist/cli.js envs` on a config with one manifests environment.
 * - `diagnose (manifests env)`: `node dist/cli.js diagnose dev --json` on that environment, a Redis
 *   with 1,000 seeded sessions and the Kubernetes objects read from manifests/demo: start-up plus the
 *   whole sampled diagnosis (its eviction-rate interval included).
 * - `bot to /healthz`: `node dist/main.js` in HTTP mode with that config and a fake Slack Web API on
 *   loopback (the bot asks auth.test at start), polled every 5 ms.
 *
 * `--dist` points at another build; `--compare DIR` adds the same figures for a second build (e.g. a
 * copy of main's dist/ with node_modules beside it), interleaved in the same rounds: before and after
 * under the same load.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedisServer, freePort } from '../src/demo/redis-process.js';
import { startFakeSlackApi } from '../test/fakes/slack-api.js';
import { seedSessions } from './seed-sessions.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  wallMs: number;
  peakRssMb: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Spawns `args` under /usr/bin/time; `ready` (when given) ends the timing early and then stops the child. */
function timed(args: string[], env: NodeJS.ProcessEnv, okCodes: number[], ready?: () => Promise<void>): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  const timeFile = join(dir, 'time');
  // A process stopped once ready is spawned directly (a signal to /usr/bin/time would not reach it).
  const [cmd, cmdArgs] = ready
    ? [process.execPath, args]
    : ['/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, ...args]];
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    let readyAt: number | undefined;
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = (readyAt ?? performance.now()) - t0;
      const rssKb = ready ? NaN : Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
      rmSync(dir, { recursive: true, force: true });
      if (readyAt === undefined && !okCodes.includes(code ?? -1))
        return reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`));
      resolvePromise({ wallMs, peakRssMb: rssKb / 1024 });
    });
    ready?.().then(
      () => {
        readyAt = performance.now();
        child.kill('SIGTERM');
      },
      (err: Error) => {
        child.kill('SIGKILL');
        reject(err);
      },
    );
  });
}

/** Resolves at the first 200 from `url`, polling every 5 ms (connection refused until it listens). */
async function firstOk(url: string, deadlineMs = 20_000): Promise<void> {
  const until = performance.now() + deadlineMs;
  while (performance.now() < until) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url} did not answer 200 within ${deadlineMs} ms`);
}

export interface StartFigure {
  id: string;
  label: string;
  wallMs: { median: number; min: number; max: number };
  /** Peak RSS of the process (NaN for the bot, which is stopped by a signal, not timed to exit). */
  peakRssMb: number;
  /** Seconds beyond the median of `node -e 0` (difference of medians). */
  secondsOverNode: number | null;
}

/** Runs the start-up figures; prints the table and returns its rows. */
export async function runStartBench(
  opts: { rounds?: number; dist?: string; compare?: string } = {},
): Promise<StartFigure[]> {
  const rounds = opts.rounds ?? 7;
  const dists = [resolve(opts.dist ?? join(root, 'dist')), ...(opts.compare ? [resolve(opts.compare)] : [])];
  const redis = await startRedisServer();
  // The bot asks auth.test at start: a fake Slack Web API on loopback answers it.
  const slack = await startFakeSlackApi();
  const work = mkdtempSync(join(tmpdir(), 'session-ttl-start-'));
  try {
    await seedSessions({
      port: redis.port,
      count: 1000,
      ttlSeconds: 3600,
      spreadSeconds: 3000,
      nowMs: Date.now(),
      realistic: true,
    });
    const config = join(work, 'session-ttl.yaml');
    writeFileSync(
      config,
      [
        'environments:',
        '  dev:',
        '    profile: development',
        '    redis:',
        `      url: ${redis.url}`,
        '      keyPattern: "session:*"',
        '    kubernetes:',
        `      manifests: ${join(root, 'manifests', 'demo')}`,
        '      namespace: langgraph-agent',
        '',
      ].join('\n'),
    );
    const env = { PATH: process.env.PATH ?? '' };
    const perBuild = (dist: string, tag: string): { id: string; label: string; run: () => Promise<Run> }[] => [
      {
        id: `envs${tag}`,
        label: `session-ttl envs${tag}`,
        run: () => timed([join(dist, 'cli.js'), 'envs', '--config', config], env, [0]),
      },
      {
        id: `diagnose-manifests${tag}`,
        label: `session-ttl diagnose (manifests env, 1000 keys)${tag}`,
        // 1 or 3: the demo manifests and the seeded store have findings; that is a finished run.
        run: () => timed([join(dist, 'cli.js'), 'diagnose', 'dev', '--json', '--config', config], env, [0, 1, 3]),
      },
      {
        id: `bot-healthz${tag}`,
        label: `bot: node dist/main.js to /healthz 200${tag}`,
        run: async () => {
          const port = await freePort();
          const botEnv = {
            ...env,
            SLACK_BOT_TOKEN: 'xoxb-0000-bench-start',
            SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef',
            SLACK_API_URL: slack.apiUrl,
            PORT: String(port),
            SESSION_TTL_CONFIG: config,
            LOG_LEVEL: 'error',
          };
          return timed([join(dist, 'main.js')], botEnv, [0], () => firstOk(`http://127.0.0.1:${port}/healthz`));
        },
      },
    ];
    const figures = [
      { id: 'node-e-0', label: 'baseline: node -e 0', run: () => timed(['-e', '0'], env, [0]) },
      ...dists.flatMap((dist, i) => perBuild(dist, i === 0 ? '' : ' [compare]')),
    ];
    const samples = new Map<string, Run[]>(figures.map((f) => [f.id, []]));
    const load0 = loadavg();
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < figures.length; i++) {
        const f = figures[(i + round) % figures.length]!;
        samples.get(f.id)!.push(await f.run());
      }
    }
    const load1 = loadavg();
    const nodeMedian = median(samples.get('node-e-0')!.map((r) => r.wallMs));
    const rows: StartFigure[] = figures.map((f) => {
      const walls = samples.get(f.id)!.map((r) => r.wallMs);
      return {
        id: f.id,
        label: f.label,
        wallMs: { median: median(walls), min: Math.min(...walls), max: Math.max(...walls) },
        peakRssMb: median(samples.get(f.id)!.map((r) => r.peakRssMb)),
        secondsOverNode: f.id === 'node-e-0' ? null : (median(walls) - nodeMedian) / 1000,
      };
    });
    console.log(
      `start-up, ${dists.join(' vs [compare] ')}, ${rounds} interleaved rounds; median (min–max); load ${load0.map((l) => l.toFixed(2)).join(' ')} -> ${load1.map((l) => l.toFixed(2)).join(' ')}`,
    );
    for (const r of rows) {
      const s = (ms: number) => (ms / 1000).toFixed(3);
      console.log(
        `${r.label.padEnd(48)} ${s(r.wallMs.median)} s (${s(r.wallMs.min)}–${s(r.wallMs.max)})  ${(Number.isNaN(r.peakRssMb) ? '–' : r.peakRssMb.toFixed(0)).padStart(4)} MB${r.secondsOverNode !== null ? `  +${r.secondsOverNode.toFixed(3)} s over node -e 0` : ''}`,
      );
    }
    return rows;
  } finally {
    await redis.stop();
    await slack.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, dist: { type: 'string' }, compare: { type: 'string' } },
  });
  await runStartBench({
    ...(values.rounds ? { rounds: Number(values.rounds) } : {}),
    ...(values.dist ? { dist: values.dist } : {}),
    ...(values.compare ? { compare: values.compare } : {}),
  });
}
