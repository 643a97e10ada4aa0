import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../../src/cli/run-cli.js';
import type { Report } from '../../../src/diagnostics/types.js';
import { EVICTING_REDIS_ARGS, evictedKeys, fillUntilEvicting } from '../../support/at-maxmemory.js';
import { captureIo } from '../../support/cli-io.js';
import { minimalReader } from '../../support/minimal-reader.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

// Issue 18 item 11: on a Redis at its limit under allkeys-lru, after one warm-up read, a diagnosis must evict
// no more keys than a minimal reader (one connection: INFO, CONFIG GET, 1000 TTLs by SCAN COUNT 50 + PTTL
// pipelines of 50), which evicts none. Before, the checks' concurrent requests piled replies into the output
// buffer and a first TIME allocated that command's latency histogram: ~10 evictions per fresh store here.

let server: RedisServerHandle;
let admin: Redis;
let config: string;
let next = 0;

beforeAll(async () => {
  server = await startRedisServer(EVICTING_REDIS_ARGS);
  admin = new Redis(server.url);
  const dir = mkdtempSync(join(tmpdir(), 'minimal-reader-'));
  config = join(dir, 'session-ttl.yaml');
  writeFileSync(
    config,
    stringify({
      environments: { dev: { profile: 'development', redis: { url: server.url } } },
      defaults: { rateWindowMs: 250 },
    }),
  );
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

/** A store just evicting, with no headroom, after one warm-up read by the minimal reader. */
async function atTheLimit(): Promise<void> {
  next = await fillUntilEvicting(admin, next);
  await minimalReader(server.url);
}

/** Keys evicted while `work` runs three times. */
async function evictedBy(work: () => Promise<unknown>): Promise<number> {
  const before = await evictedKeys(admin);
  for (let i = 0; i < 3; i++) await work();
  return (await evictedKeys(admin)) - before;
}

describe('a diagnosis against a minimal reader on a Redis at its limit (issue 18 item 11)', () => {
  it('the minimal reader evicts no key (the reference)', async () => {
    await atTheLimit();
    expect(await evictedBy(() => minimalReader(server.url))).toBe(0);
  });

  it(
    'three diagnoses, each on its own connection as the CLI makes them, evict no key either',
    { timeout: 60_000 },
    async () => {
      // Given a store at its limit after one warm-up read
      await atTheLimit();
      const reports: Report[] = [];

      // When diagnosing three times, as `session-ttl diagnose` does
      const evicted = await evictedBy(async () => {
        const io = captureIo();
        await runCli(['diagnose', 'dev', '--config', config, '--json'], io);
        reports.push(JSON.parse(io.out()) as Report);
      });

      // Then no key was evicted, and each diagnosis still read its 1000 TTLs and measured the clock
      expect(evicted).toBe(0);
      for (const report of reports) {
        expect(report.findings.find((f) => f.id === 'ttl.distribution')?.evidence.sampled).toBe(1000);
        expect(report.checks.find((c) => c.id === 'clock-skew')?.status).toBe('ok');
      }
      // And it asked Redis for nothing the minimal reader does not (a command's first call costs server memory)
      const stats = await admin.info('commandstats');
      const used = [...stats.matchAll(/^cmdstat_([^:]+):/gm)].map((m) => m[1]).sort();
      expect(used).toEqual(['config|get', 'info', 'pttl', 'scan', 'set']);
    },
  );
});
