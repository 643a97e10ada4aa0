import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/config.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { FAKE_IDS, startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../fakes/slack-api.js';
import { sendSlashCommand } from '../fakes/slack-signing.js';
import {
  ALERTS,
  AM_TOKEN,
  BOT_TOKEN,
  firingNotification,
  SIGNING_SECRET,
  startTestBot,
  type TestBot,
} from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { serverInfoCheck } from './fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The bound: an interrupted diagnosis is re-run by another replica and posted within a minute. */
const RECOVERY_BOUND_MS = 60_000;

const isGroupPost = (c: SlackApiCall) => c.body.channel === ALERTS && !c.body.thread_ts;
const isReport = (c: SlackApiCall) => c.body.channel === FAKE_IDS.channel && !c.body.thread_ts;

/** The real bot process (`src/main.ts` under tsx) on `port`, sharing the state Redis; its output in `out()`. */
function spawnBot(env: Record<string, string>): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

describe('a replica SIGKILLed holding a notification and a slash diagnosis loses them to another replica (issue 19)', () => {
  let slack: FakeSlackApi;
  let state: Redis;
  let envRedis: RedisServerHandle;
  let b: TestBot;
  let a: { child: ChildProcess; out: () => string } | undefined;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    state = await resetSharedRedis();
    // The environment's Redis: stopped (SIGSTOP) while replica A works, so A's diagnoses hang until it dies.
    envRedis = await startRedisServer();
  });
  afterAll(async () => {
    if (a?.child.exitCode === null) a.child.kill('SIGKILL');
    envRedis?.process.kill('SIGCONT');
    await b?.close();
    await envRedis?.stop();
    await slack?.close();
    state?.disconnect();
  });

  it(
    'replica B posts the group diagnosis and the slash report after the lease, each exactly once, within a minute',
    { timeout: 240_000 },
    async () => {
      // Given: replica A, a real bot process, and replica B, in process, sharing the state Redis and Slack.
      const raw = {
        defaults: { checkTimeoutMs: 120_000, rateWindowMs: 0 },
        environments: { dev: { profile: 'development', redis: { url: envRedis.url } } },
        slack: { alertChannel: ALERTS },
      };
      const dir = mkdtempSync(join(tmpdir(), 'replica-takeover-'));
      writeFileSync(join(dir, 'session-ttl.yaml'), stringify(raw));
      const port = await freePort();
      a = spawnBot({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        SESSION_TTL_CONFIG: join(dir, 'session-ttl.yaml'),
        STATE_REDIS_URL: sharedRedisUrl(),
        ALERTMANAGER_TOKEN: AM_TOKEN,
      });
      const { child, out } = a;
      await eventually('replica A to listen', () => out().includes('"msg":"listening"'), {
        timeoutMs: 100_000,
        intervalMs: 200,
        detail: out,
      });
      const config = parseConfig(raw, 'replica-takeover-test');
      b = await startTestBot({ slack, config, registry: createCheckRegistry([serverInfoCheck]), alerts: 'redis' });

      // When: A accepts a notification and a slash diagnose, posts the group message, and hangs on the paused Redis.
      envRedis.process.kill('SIGSTOP');
      const answer = await fetch(`http://127.0.0.1:${port}/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}` },
        body: JSON.stringify(firingNotification('dev', 'takeover')),
      });
      expect(answer.status).toBe(200);
      const ack = await sendSlashCommand(
        `http://127.0.0.1:${port}`,
        { text: 'diagnose dev', response_url: slack.responseUrl('killed') },
        { signingSecret: SIGNING_SECRET },
      );
      expect(ack.json.text).toMatch(/Diagnosing/);
      const group = await slack.waitFor('chat.postMessage', isGroupPost, 30_000);
      const groupTs = String(group.response?.ts);
      await eventually('A to start the alert diagnosis', () => out().includes('"msg":"alert diagnosis started"'), {
        detail: out,
      });
      await eventually('A to start the slash diagnosis', () => out().includes('"msg":"diagnosis started"'), {
        detail: out,
      });

      // ... and is SIGKILLed (no drain, no last words); then the Redis answers again.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const killedAt = performance.now();
      envRedis.process.kill('SIGCONT');

      // Then: B takes both jobs over once A's lease is over, and posts the diagnosis and the report.
      const diagnosis = await slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === groupTs, 90_000);
      const report = await slack.waitFor('chat.postMessage', isReport, 90_000);
      const recoveredMs = Math.round(performance.now() - killedAt);
      expect(recoveredMs, 'from SIGKILL to both posts').toBeLessThan(RECOVERY_BOUND_MS);
      expect(JSON.stringify(diagnosis.body)).toContain('Redis server');
      expect(JSON.stringify(report.body)).toContain('Redis server');
      await b.bot.idle();
      expect(b.logs.lines.filter((l) => l.msg.startsWith('took over a job'))).toHaveLength(2);

      // Each exactly once: one group message, one reply in its thread, one report in the channel.
      const posts = slack.callsOf('chat.postMessage');
      expect(posts.filter(isGroupPost)).toHaveLength(1);
      expect(posts.filter((c) => c.body.thread_ts === groupTs)).toHaveLength(1);
      expect(posts.filter(isReport)).toHaveLength(1);
      // The person was told again through the response_url by B (the run restarted there).
      expect(slack.responses.filter((r) => r.id === 'killed').length).toBeGreaterThanOrEqual(1);
      expect(await state.zcard('session-ttl-bot:queue:intake')).toBe(0);
      console.log(`replica takeover: both posted ${recoveredMs} ms after the SIGKILL`);
    },
  );
});
