import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEFAULT_LAST_WORDS_MS } from '../../src/host/host.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { sendSlashCommand } from '../fakes/slack-signing.js';
import { eventually } from '../support/eventually.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SECRET = '7f6e5d4c3b2a19080f1e2d3c4b5a6978';
const GRACE_SECONDS = 2;
/** What a process needs to exit once the host has stopped (process.exit, pino's flush): generous. */
const EXIT_MARGIN_MS = 2000;

describe('the real bot process stops within its shutdown budget on a stalled Redis (issue 19)', () => {
  let slack: FakeSlackApi;
  let redis: RedisServerHandle;
  beforeAll(async () => {
    slack = await startFakeSlackApi();
    // A private Redis: the test stops it (SIGSTOP) and keeps it stopped until the bot has exited.
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await slack?.close();
    redis?.process.kill('SIGCONT');
    await redis?.stop();
  });

  // The bot starts under tsx (seconds, tens of seconds on a loaded machine): only that start is waited for
  // generously. The bound asserted is the budget the issue defines in seconds: grace + last words.
  it(
    'exits within SHUTDOWN_GRACE_SECONDS + the last words after SIGTERM, having told the user, with the monitor and the sources stalled',
    { timeout: 150_000 },
    async () => {
      // Given: the bot with a 2 s grace period, its monitor watching the environment's Redis, and that Redis
      // stopped (SIGSTOP) with a diagnosis waiting on it: the diagnosis, the monitor's stop and the close of
      // the connections all hang for as long as the Redis stays stopped (the whole test).
      const dir = mkdtempSync(join(tmpdir(), 'shutdown-budget-'));
      const config = join(dir, 'session-ttl.yaml');
      writeFileSync(
        config,
        stringify({
          // No check gives up on the stopped Redis by itself while the test runs.
          defaults: { checkTimeoutMs: 120_000 },
          environments: { dev: { profile: 'development', redis: { url: redis.url } } },
        }),
      );
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          SLACK_BOT_TOKEN: 'xoxb-3333-4444-processtoken',
          SLACK_SIGNING_SECRET: SECRET,
          SLACK_API_URL: slack.apiUrl,
          PORT: String(port),
          SESSION_TTL_CONFIG: config,
          SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
          LOG_LEVEL: 'info',
        },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
        child.once('exit', (code) => resolve({ code, at: performance.now() })),
      );
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`the bot did not start:\n${out}`)), 100_000);
          child.stdout.on('data', () => {
            if (out.includes('"msg":"listening"')) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
        // The monitor has subscribed (its worker now has a connection to stop on the stalled Redis).
        await eventually('the session monitor to watch dev', () => out.includes('"msg":"session monitor: watching"'), {
          timeoutMs: 30_000,
          detail: () => out,
        });
        redis.process.kill('SIGSTOP');
        const ack = await sendSlashCommand(
          `http://127.0.0.1:${port}`,
          { text: 'diagnose dev', response_url: slack.responseUrl('budget') },
          { signingSecret: SECRET },
        );
        expect(ack.json.text).toMatch(/Diagnosing/);

        // When: SIGTERM arrives while the diagnosis waits for the stopped Redis.
        const sigterm = performance.now();
        child.kill('SIGTERM');
        const exit = await Promise.race([
          exited,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`no exit 60 s after SIGTERM:\n${out}`)), 60_000),
          ),
        ]);

        // Then: the process is gone within grace + last words (plus what exiting takes), with the Redis
        // still stopped, and the user was told the diagnosis was interrupted, with the command to run again.
        const elapsed = Math.round(exit.at - sigterm);
        const budget = GRACE_SECONDS * 1000 + DEFAULT_LAST_WORDS_MS;
        expect(elapsed, `SIGTERM -> exit took ${elapsed} ms; budget ${budget} ms\n${out}`).toBeLessThan(
          budget + EXIT_MARGIN_MS,
        );
        expect(exit.code).toBe(0);
        const told = slack.responses.find((r) => r.id === 'budget' && /interrupted/.test(String(r.body.text)));
        expect(told?.body.text, out).toContain('interrupted by a restart');
        expect(told?.body.text).toContain('/session-ttl diagnose dev');
        expect(slack.callsOf('chat.postMessage')).toEqual([]);
      } finally {
        redis.process.kill('SIGCONT');
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});
