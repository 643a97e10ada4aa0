import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { sendSlashCommand } from '../fakes/slack-signing.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SECRET = '7f6e5d4c3b2a19080f1e2d3c4b5a6978';

describe('the real bot process on SIGTERM with a diagnosis in flight (issue 9, item 2)', () => {
  let slack: FakeSlackApi;
  let redis: RedisServerHandle;
  beforeAll(async () => {
    slack = await startFakeSlackApi();
    // A private Redis: the test stops it (SIGSTOP) to hold the diagnosis open.
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await slack?.close();
    redis?.process.kill('SIGCONT');
    await redis?.stop();
  });

  // The bot starts under tsx (the source as it is, not a build): seconds, and tens of seconds on a loaded
  // machine; only that start is waited for, generously. Nothing else depends on how fast the bot is.
  it(
    'tells the user the diagnosis was interrupted, with the command to run again, and exits 0',
    { timeout: 150_000 },
    async () => {
      // Given: the bot (node src/main.ts) with a 0.3 s grace period, and its Redis stopped (SIGSTOP) until
      // the user has been told: the diagnosis cannot finish before SIGTERM however slowly anything runs.
      const dir = mkdtempSync(join(tmpdir(), 'sigterm-'));
      const config = join(dir, 'session-ttl.yaml');
      writeFileSync(
        config,
        stringify({ environments: { dev: { profile: 'development', redis: { url: redis.url } } } }),
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
          SHUTDOWN_GRACE_SECONDS: '0.3',
          LOG_LEVEL: 'info',
        },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        const listening = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`the bot did not start:\n${out}`)), 100_000);
          child.stdout.on('data', () => {
            if (out.includes('"msg":"listening"')) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
        await listening;
        // Without STATE_REDIS_URL (one replica): one warning at start-up of what a crash loses (issue 19).
        const memoryWarnings = out
          .split('\n')
          .filter((l) => l.includes('STATE_REDIS_URL is not set'))
          .map((l) => JSON.parse(l) as { level: number; msg: string });
        expect(memoryWarnings).toHaveLength(1);
        expect(memoryWarnings[0]!.level).toBe(40); // pino's warn
        expect(memoryWarnings[0]!.msg).toContain('A crash or restart loses accepted work');
        expect(memoryWarnings[0]!.msg).toContain('replicas do not share state');
        redis.process.kill('SIGSTOP');
        const ack = await sendSlashCommand(
          `http://127.0.0.1:${port}`,
          { text: 'diagnose dev', response_url: slack.responseUrl('proc') },
          { signingSecret: SECRET },
        );
        expect(ack.json.text).toMatch(/Diagnosing/);

        // When: SIGTERM arrives while the diagnosis waits for Redis.
        child.kill('SIGTERM');

        // Then: the user is told, and (Redis resumed, so the sources can close) the process exits cleanly;
        // no report and no "unreachable" is posted.
        const told = await slack.waitForResponse((r) => r.id === 'proc', 30_000);
        redis.process.kill('SIGCONT');
        expect(told.body.text).toContain('interrupted by a restart');
        expect(told.body.text).toContain('/session-ttl diagnose dev');
        expect(await exited).toBe(0);
        expect(slack.callsOf('chat.postMessage')).toEqual([]);
        expect(out).toContain('shutdown grace period over');
      } finally {
        redis.process.kill('SIGCONT');
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});
