import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { captureIo } from '../support/cli-io.js';

// Issue 9 item 10: key names (and anything else read from Redis or a cluster) are untrusted; a
// terminal must never receive their control characters (title, clear screen, hyperlinks, bidi).
const HOSTILE = '\x1b]0;TITLE\x07\x1b[2J\x1b[31m\u202eevil\r\x9b';
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('control characters from untrusted data never reach the terminal', () => {
  let redis: Redis;
  let configPath: string;
  beforeAll(async () => {
    redis = await resetSharedRedis();
    const dir = mkdtempSync(join(tmpdir(), 'hostile-term-'));
    configPath = join(dir, 'session-ttl.yaml');
    writeFileSync(
      configPath,
      stringify({ environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } }),
    );
  });
  afterAll(() => redis?.disconnect());
  beforeEach(async () => {
    await redis.flushall();
  });

  it.each([
    ['the escape right after the prefix', `session:${HOSTILE}${'x'.repeat(40)}`],
    ['the escape in a short key', `session:${HOSTILE}`],
    ['the escape deep in the key', `session:${'a'.repeat(3)}${HOSTILE}:data`],
  ])('session-ttl diagnose with %s prints no control character', async (_what, key) => {
    // Given: the hostile key without a TTL (a ttl.no_expiry sample) and one above the configured TTL.
    await redis.set(key, '{}');
    await redis.set(`${key}:week`, '{}', 'EX', 604800);
    for (let i = 0; i < 10; i++) await redis.set(`session:ok${i}`, '{}', 'EX', 3000);
    const io = captureIo();
    await runCli(['diagnose', 'dev', '--config', configPath], io);
    expect(io.out()).toMatch(/ttl\.no_expiry/);
    expect(io.out()).not.toMatch(CONTROLS);
    expect(io.err()).not.toMatch(CONTROLS);
  });

  it('session-ttl diagnose --json escapes them as JSON does', async () => {
    await redis.set(`session:${HOSTILE}${'x'.repeat(40)}`, '{}');
    const io = captureIo();
    await runCli(['diagnose', 'dev', '--config', configPath, '--json'], io);
    expect(io.out()).not.toMatch(CONTROLS);
    expect(() => JSON.parse(io.out())).not.toThrow();
  });
});

describe('control characters in a Redis reply never reach the terminal', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let configPath: string;
  beforeAll(async () => {
    // A "Redis" that answers every command with an error carrying escapes, as a hostile or broken proxy could.
    server = createServer((socket) => {
      sockets.add(socket);
      // One error reply per command: each RESP command starts a line with `*` (pipelines send several).
      socket.on('data', (chunk: Buffer) => {
        const commands = chunk
          .toString('latin1')
          .split('\r\n')
          .filter((l) => /^\*\d+$/.test(l)).length;
        socket.write(`-ERR ${HOSTILE} no such thing\r\n`.repeat(commands));
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'hostile-term-reply-'));
    configPath = join(dir, 'session-ttl.yaml');
    writeFileSync(
      configPath,
      stringify({
        environments: {
          dev: { profile: 'development', redis: { url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 500 } },
        },
      }),
    );
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it.each([
    ['verify', ['verify', 'dev', '--wait', '0.1']],
    ['fix (preview)', ['fix', 'dev', 'set-eviction-policy', '--dry-run']],
    ['fix (preview) --json', ['fix', 'dev', 'set-maxmemory', '--dry-run', '--json', '--param', 'maxmemory=1gb']],
  ])('session-ttl %s prints the failure without its control characters', async (_what, argv) => {
    const io = captureIo();
    await runCli([...argv, '--config', configPath], io);
    expect(io.out() + io.err()).toMatch(/no such thing|Redis|127\.0\.0\.1/);
    expect(io.out()).not.toMatch(CONTROLS);
    expect(io.err()).not.toMatch(CONTROLS);
  });
});
