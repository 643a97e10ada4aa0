import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { canaryKeys } from '../support/bot-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('session-ttl verify stopped by a signal (issue 9, item 3)', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = await resetSharedRedis();
  });
  afterAll(() => redis?.disconnect());

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // The CLI starts under tsx: seconds, tens of them on a loaded machine; that start is waited for generously.
    it(`removes the canary and prints the interrupted result on ${signal}`, { timeout: 150_000 }, async () => {
      // Given: the real CLI, verifying with a 600 s wait.
      const dir = mkdtempSync(join(tmpdir(), 'verify-signal-'));
      const config = join(dir, 'session-ttl.yaml');
      writeFileSync(
        config,
        stringify({
          environments: {
            dev: {
              profile: 'development',
              expectedTtlSeconds: 60,
              redis: { url: sharedRedisUrl() },
              verify: { waitSeconds: 600 },
            },
          },
        }),
      );
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli.ts', 'verify', 'dev', '--config', config, '--json'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const waiting = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the CLI never reached the wait; stderr:\n${err}`)), 100_000);
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (/again in|waiting/i.test(err)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      try {
        await waiting;
        expect(await canaryKeys(redis)).toHaveLength(1);

        // When: the signal arrives during the wait.
        child.kill(signal);
        const code = await exited;

        // Then: the canary is gone, the result says why, and the exit code says the run did not complete.
        expect(await canaryKeys(redis)).toEqual([]);
        const result = JSON.parse(out) as { verdict: string; reasons: string[]; cleanup: { status: string } };
        expect(result.verdict).toBe('error');
        expect(result.reasons.join(' ')).toContain('interrupted');
        expect(result.cleanup.status).toBe('removed');
        expect(code).toBe(2);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  }
});
