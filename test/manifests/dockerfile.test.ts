import { execSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startFakeSlackApi } from '../fakes/slack-api.js';
import { freePort } from '../support/redis-server.js';
import { sharedRedisUrl } from '../support/shared-redis.js';

interface Stage {
  from: string;
  name?: string;
  lines: { op: string; args: string }[];
}

/** The Dockerfile's stages and their instructions (comments and line continuations handled). */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of logical) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [from = '', , name] = args.split(/\s+/);
      stages.push({ from, ...(name ? { name } : {}), lines: [] });
    } else stages.at(-1)!.lines.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'dockerfile-steps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a stage's COPY (from the checkout or an earlier stage) and RUN steps in `tmp/<stage>`. */
function followStage(stage: Stage, root: string, runStep: (cmd: string, cwd: string) => void) {
  let workdir = '/';
  for (const { op, args } of stage.lines) {
    if (op === 'WORKDIR') workdir = args;
    const here = join(root, workdir);
    mkdirSync(here, { recursive: true });
    if (op === 'COPY') {
      const parts = args.split(/\s+/);
      const fromFlag = parts.find((p) => p.startsWith('--from='));
      const paths = parts.filter((p) => !p.startsWith('--'));
      const dest = join(here, paths.pop()!);
      for (const src of paths) {
        const source = fromFlag ? join(tmp, fromFlag.slice('--from='.length), src) : src;
        const target = dest.endsWith('/') || paths.length > 1 ? join(dest, posix.basename(src)) : dest;
        mkdirSync(dirname(target), { recursive: true });
        // node_modules is large: an earlier stage's is linked rather than copied.
        if (fromFlag && src.endsWith('node_modules')) symlinkSync(realpathSync(source), target);
        else cpSync(source, target, { recursive: true, dereference: true });
      }
    }
    if (op === 'RUN') runStep(args, here);
  }
}

/**
 * Runs a stage whose steps use only copied files (the deps stage) in a folder keyed by the hash of its
 * instructions and of the files it copies, and reuses that folder on later runs, as `docker build` reuses
 * a layer. A new folder is filled beside and renamed into place, so parallel runs never see half of one.
 */
function depsLayer(stage: Stage): string {
  const hash = createHash('sha256');
  for (const { op, args } of stage.lines) {
    hash.update(`${op} ${args}\n`);
    if (op === 'COPY' && !args.includes('--from='))
      for (const src of args.split(/\s+/).slice(0, -1)) hash.update(readFileSync(src));
  }
  const dir = join(tmpdir(), `session-ttl-dockerfile-${stage.name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'app', 'node_modules'))) return dir;
  const building = mkdtempSync(join(tmpdir(), 'dockerfile-layer-'));
  // At the lowest CPU priority: the suite's other files run beside it and must not time out.
  followStage(stage, building, (cmd, cwd) => {
    execSync(`nice -n 19 ${cmd}`, {
      cwd,
      stdio: 'pipe',
      env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
    });
  });
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another run finished the same layer first
  }
  return dir;
}

describe('Dockerfile', () => {
  it('is multi-stage; the final stage runs node dist/main.js as non-root, with production dependencies only', () => {
    const final = dockerfile.at(-1)!;
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    expect(final.from).toMatch(/distroless\/nodejs20/);
    expect(final.lines.filter((l) => l.op === 'RUN')).toEqual([]); // nothing runs at build time in the final image: no shell there
    const user = final.lines.find((l) => l.op === 'USER')!.args;
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const entry = [
      ...JSON.parse(final.lines.find((l) => l.op === 'ENTRYPOINT')!.args),
      ...JSON.parse(final.lines.find((l) => l.op === 'CMD')!.args),
    ];
    expect(entry).toEqual(['/nodejs/bin/node', 'dist/main.js']);
    const nodeModules = final.lines.find((l) => l.op === 'COPY' && l.args.includes('node_modules'))!.args;
    const depsStage = dockerfile.find((s) => nodeModules.includes(`--from=${s.name}`))!;
    expect(depsStage.lines.find((l) => l.op === 'RUN')!.args).toMatch(/^npm ci --omit=dev\b/);
  });

  // Liveness only (a copy, a build and a process start, slow on a loaded machine): generous timeouts.
  it('followed step by step in a temporary folder (npm ci --omit=dev, the build, the copies), the entry point serves /healthz and /metrics', async () => {
    // Given: the deps stage as written (its npm ci against the lock file; npm's cache is warm). Like
    // Docker's layer cache, its result is reused while what it copies and runs is unchanged.
    const depsStage = dockerfile.find((s) => s.name === 'deps')!;
    const depsDir = depsLayer(depsStage);
    // The final stage reads from the stage names; `deps` points at the (cached) layer.
    symlinkSync(depsDir, join(tmp, 'deps'));
    // The build stage: its copies, then its `npm run build` done by a transpiler (tsc's checks run in `npm run typecheck`).
    const buildStage = dockerfile.find((s) => s.name === 'build')!;
    const buildRoot = join(tmp, 'build');
    followStage(buildStage, buildRoot, (cmd) => expect(cmd).toMatch(/^npm (ci|run build)\b/));
    const app = join(buildRoot, 'app');
    const sources = readdirSync(join(app, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(app, 'src', f));
    await build({
      entryPoints: sources,
      outdir: join(app, 'dist'),
      outbase: join(app, 'src'),
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
    });
    // The final stage's copies.
    followStage(dockerfile.at(-1)!, join(tmp, 'run'), () => {
      throw new Error('the final stage must not RUN anything');
    });
    const runDir = join(tmp, 'run', 'app');
    expect(readdirSync(join(runDir, 'node_modules'))).not.toContain('typescript');

    // When: the entry point starts as the image would, against a fake Slack API and a Redis.
    const slack = await startFakeSlackApi();
    const port = await freePort();
    const configPath = join(tmp, 'session-ttl.yaml');
    writeFileSync(
      configPath,
      stringify({ environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } }),
    );
    const final = dockerfile.at(-1)!;
    const envLine = final.lines.find((l) => l.op === 'ENV')!.args;
    const imageEnv = Object.fromEntries(envLine.split(/\s+/).map((kv) => kv.split('=') as [string, string]));
    const [, ...args] = [
      ...JSON.parse(final.lines.find((l) => l.op === 'ENTRYPOINT')!.args),
      ...JSON.parse(final.lines.find((l) => l.op === 'CMD')!.args),
    ] as string[];
    const child = spawn(process.execPath, args, {
      cwd: runDir,
      env: {
        PATH: process.env.PATH,
        ...imageEnv,
        SESSION_TTL_CONFIG: configPath,
        PORT: String(port),
        SLACK_BOT_TOKEN: 'xoxb-dockerfile-test',
        SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef0123456789',
        SLACK_API_URL: slack.apiUrl,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      // Then: /healthz answers, and /metrics carries the runbook's metrics and the monitor's.
      await expect
        .poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status, {
          timeout: 60_000,
          interval: 100,
        })
        .toBe(200);
      await expect
        .poll(
          async () =>
            (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).match(
              /session_monitor_lease_held\{environment="dev"\} 1/,
            ) !== null,
          { timeout: 30_000, interval: 100 },
        )
        .toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      for (const name of [
        'session_actual_lifetime_seconds',
        'session_ttl_violations_total',
        'session_ttl_bot_check_duration_seconds',
        'session_ttl_bot_remediation_events_total',
        'process_cpu_seconds_total',
      ]) {
        expect(metrics, name).toContain(`# TYPE ${name}`);
      }
      child.kill('SIGTERM');
      expect(await exited, output).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await slack.close();
    }
  }, 180_000);
});
