import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import { parseConfig } from '../../src/config/config.js';
import { ttlSampleCheck } from '../../src/diagnostics/checks/ttl-sample.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { maskKey } from '../../src/diagnostics/sampling/mask-key.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { startTestBot, type TestBot } from '../support/bot-harness.js';
import { captureIo } from '../support/cli-io.js';

// Issue 9 item 8: session ids are credentials. Whatever a key's shape, nothing after the key pattern's
// literal prefix may be shown beyond a short stub, in the CLI, in Slack or in the (debug) logs.
const LONG_ID = '3f9a1c0d4e5b6a7f8091a2b3c4d5e6f7';
const SHORT_ID = 'ab12cd34';
const KEYS = [`session:${LONG_ID}:data`, `session:${SHORT_ID}`, `session:user:${LONG_ID.slice(0, 16)}`];
/** Pieces of the ids that must not appear anywhere: any 7 consecutive characters (a masked key shows at most 6). */
const SECRETS = [LONG_ID, SHORT_ID].flatMap((id) =>
  Array.from({ length: id.length - 6 }, (_, i) => id.slice(i, i + 7)),
);

function leaks(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s));
}

describe('maskKey', () => {
  it.each([
    [`session:${LONG_ID}:data`, 'session:*', 'session:3f9a1c…'],
    [`session:${SHORT_ID}`, 'session:*', 'session:ab…'],
    ['session:abc', 'session:*', 'session:…'],
    [`app:sess:${LONG_ID}`, 'app:sess:*', 'app:sess:3f9a1c…'],
    [`sess1${LONG_ID}`, 'sess?*', 'sess13f9a1…'],
    // Outside the pattern (should not happen): the whole key is masked.
    [`other:${LONG_ID}`, 'session:*', 'other:…'],
  ])('%s under %s -> %s', (key, pattern, masked) => {
    expect(maskKey(key, pattern)).toBe(masked);
  });
});

describe('session ids in reports and logs', () => {
  let redis: Redis;
  let h: TestBot;
  let configPath: string;

  beforeAll(async () => {
    redis = await resetSharedRedis();
    const environments = { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } };
    const dir = mkdtempSync(join(tmpdir(), 'hostile-mask-'));
    configPath = join(dir, 'session-ttl.yaml');
    writeFileSync(configPath, stringify({ environments }));
    h = await startTestBot({
      config: parseConfig({ environments }, 'masked-session-ids'),
      registry: createCheckRegistry([ttlSampleCheck]),
      alerts: 'redis',
    });
  });
  afterAll(async () => {
    await h?.close();
    redis?.disconnect();
  });

  async function plant(): Promise<void> {
    // Given: sessions without a TTL (shown as ttl.no_expiry samples) and above the configured TTL.
    await redis.flushall();
    const pipe = redis.pipeline();
    for (const k of KEYS) pipe.set(k, '{}');
    pipe.set(`session:${LONG_ID}:week`, '{}', 'EX', 604800);
    for (let i = 0; i < 20; i++) pipe.set(`session:ok${i}`, '{}', 'EX', 3000);
    await pipe.exec();
  }

  it('session-ttl diagnose (text and --json) shows ids only masked', async () => {
    await plant();
    const text = captureIo();
    await runCli(['diagnose', 'dev', '--config', configPath], text);
    const json = captureIo();
    await runCli(['diagnose', 'dev', '--config', configPath, '--json'], json);
    // The planted keys are in the report, masked.
    expect(text.out()).toContain('session:3f9a1c…');
    expect(json.out()).toContain('session:ab…');
    expect(leaks(text.out() + text.err() + json.out() + json.err())).toEqual([]);
  });

  it('/session-ttl diagnose posts ids only masked, and the debug log (Web API bodies) carries none', async () => {
    await plant();
    h.slack.reset();
    h.logs.lines.length = 0;
    const res = await h.slash('diagnose dev');
    expect(res.status).toBe(200);
    const post = await h.slack.waitFor('chat.postMessage');
    const body = JSON.stringify(post.body);
    expect(body).toContain('session:3f9a1c…');
    await h.bot.idle();
    // Bolt's WebClient logs request bodies at debug level: they went through the same masking.
    expect(h.logs.raw()).toContain('http request body');
    expect(leaks(body)).toEqual([]);
    expect(leaks(h.logs.raw())).toEqual([]);
  });
});
