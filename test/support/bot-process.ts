import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { builtBotEntry } from './built-bot.js';
import { ROOT } from './paths.js';
import { eventually } from './eventually.js';
import { freePort } from './redis-server.js';

/** The signing secret and bot token every spawned bot gets (the fake Slack accepts any token). */
export const PROCESS_SIGNING_SECRET = '7f6e5d4c3b2a19080f1e2d3c4b5a6978';
export const PROCESS_BOT_TOKEN = 'xoxb-3333-4444-processtoken';

/** How long a bot process may take to start: tsx compiles the source at start, tens of seconds on a loaded machine. */
export const PROCESS_START_TIMEOUT_MS = 100_000;

export interface BotProcessOptions {
  /** The bot config (`session-ttl.yaml`), written to a temporary folder. */
  config: Record<string, unknown>;
  /** The fake Slack Web API the bot talks to (`SLACK_API_URL`). */
  slackApiUrl: string;
  /** More environment variables (e.g. `STATE_REDIS_URL`, `SHUTDOWN_GRACE_SECONDS`, `ALERTMANAGER_TOKEN`). */
  env?: Record<string, string>;
  /** `source`: `src/main.ts` under tsx (default); `build`: `node main.js` of the build (test/support/built-bot.ts). */
  entry?: 'source' | 'build';
  /** The HTTP port; a free one by default (give the old one to restart a replica where it was). */
  port?: number;
  /** Resolve once this log message is out (default `listening`); `false` returns at once. */
  readyWhen?: string | false;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() at the exit. */
  at: number;
}

/** A bot running as its own process, as in production: `node main.js` with its environment. */
export interface BotProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines so far (lines that are not JSON are left out). */
  logs(): { msg?: string; level?: number; [k: string]: unknown }[];
  /** Waits for a log line whose `msg` contains `text` (fails early when the process exits). */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<ExitStatus>;
  /** SIGKILL: no last words, no cleanup (a crash, an OOM kill). Resolves once it is gone. */
  kill(): Promise<ExitStatus>;
  /** SIGTERM, and SIGKILL after `timeoutMs` (default 60 s) if still running. */
  stop(timeoutMs?: number): Promise<ExitStatus>;
}

function parseLines(out: string): ReturnType<BotProcess['logs']> {
  return out.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as ReturnType<BotProcess['logs']>[number]];
    } catch {
      return [];
    }
  });
}

function command(entry: 'source' | 'build'): Promise<string[]> {
  if (entry === 'source') return Promise.resolve(['--import', 'tsx', 'src/main.ts']);
  return builtBotEntry('main.js').then((main) => [main]);
}

/**
 * Starts the bot as a real process (the one `npm start` runs) against fakes and Redis servers on loopback,
 * and resolves once it listens. The one way the suite spawns a bot: the shutdown, replica and dashboard
 * tests use it.
 *
 * @example
 * const bot = await startBotProcess({ config: { environments }, slackApiUrl: slack.apiUrl, env: { STATE_REDIS_URL } });
 * await sendSlashCommand(bot.url, { text: 'diagnose dev' }, { signingSecret: PROCESS_SIGNING_SECRET });
 * await bot.kill();
 */
export async function startBotProcess(opts: BotProcessOptions): Promise<BotProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-process-'));
  const configFile = join(dir, 'session-ttl.yaml');
  writeFileSync(configFile, stringify(opts.config));
  // The port is free when chosen, but the bot binds it seconds later (tsx starts first), and the kernel may
  // hand it meanwhile to another test's outgoing connection (it is in the ephemeral range): then, and only
  // for a port chosen here, a new one is chosen (at most three times). A port the test gave is used as is.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(opts, configFile, opts.port ?? (await freePort()));
    } catch (err) {
      const taken = err instanceof PortTakenError;
      if (!taken || opts.port !== undefined || attempt >= 3) throw taken ? err.cause : err;
    }
  }
}

/** The bot could not bind the port it was given (EADDRINUSE before it listened). */
class PortTakenError extends Error {}

async function launch(opts: BotProcessOptions, configFile: string, port: number): Promise<BotProcess> {
  const child = spawn(process.execPath, await command(opts.entry ?? 'source'), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      SLACK_BOT_TOKEN: PROCESS_BOT_TOKEN,
      SLACK_SIGNING_SECRET: PROCESS_SIGNING_SECRET,
      SLACK_API_URL: opts.slackApiUrl,
      PORT: String(port),
      SESSION_TTL_CONFIG: configFile,
      LOG_LEVEL: 'info',
      ...opts.env,
    },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const waitForLog = (text: string, timeoutMs = 30_000) =>
    eventually(
      `the bot on port ${port} to log "${text}"`,
      () => {
        if (parseLines(out).some((l) => typeof l.msg === 'string' && l.msg.includes(text))) return true;
        if (gone()) throw new Error(`the bot exited (${child.exitCode ?? child.signalCode}) before "${text}":\n${out}`);
        return false;
      },
      { timeoutMs, intervalMs: 50, detail: () => out.slice(-4000) },
    ).then(() => undefined);
  const bot: BotProcess = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    logs: () => parseLines(out),
    waitForLog,
    exited,
    kill() {
      if (!gone()) child.kill('SIGKILL');
      return exited;
    },
    async stop(timeoutMs = 60_000) {
      if (gone()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
  if (opts.readyWhen === false) return bot;
  try {
    await waitForLog(opts.readyWhen ?? 'listening', PROCESS_START_TIMEOUT_MS);
  } catch (err) {
    await bot.kill();
    if (out.includes('EADDRINUSE')) throw new PortTakenError(`port ${port} was taken`, { cause: err });
    throw err;
  }
  return bot;
}

/**
 * Runs `src/main.ts` (under tsx) with exactly `env` (plus PATH and HOME) until it exits by itself: for the
 * start-up refusals, which exit before anything listens.
 */
export function runMainToExit(env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: PROCESS_START_TIMEOUT_MS,
  });
}
