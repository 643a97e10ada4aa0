import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { APPROVER, NODE, recordAppliedRequest, REQUESTER } from '../commands/audit-entries.js';
import { captureIo } from '../support/cli-io.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

let redis: Redis;
let config: string;
beforeAll(async () => {
  redis = await resetSharedRedis();
  // Given: the bot's state Redis holds a request by one SRE, approved and applied by another.
  await recordAppliedRequest(redis, 'prod');
  config = join(mkdtempSync(join(tmpdir(), 'audit-cli-')), 'session-ttl.yaml');
  writeFileSync(
    config,
    'environments:\n' +
      `  prod:\n    profile: production\n    redis: { url: "${sharedRedisUrl()}" }\n` +
      `  dev:\n    profile: development\n    redis: { url: "${sharedRedisUrl()}" }\n`,
  );
});
afterAll(() => redis?.disconnect());

describe('session-ttl audit <env>', () => {
  it('prints each change before -> after, who requested and who approved, read from STATE_REDIS_URL', async () => {
    const io = captureIo({ STATE_REDIS_URL: sharedRedisUrl() });
    expect(await runCli(['audit', 'prod', '--config', config], io)).toBe(0);
    expect(io.out()).toContain('Remediation audit: prod');
    expect(io.out()).toContain(
      '2026-12-05T10:43:00Z apply set-eviction-policy by @U0SRE2 in #C0INCIDENT: applied 2 change(s)\n' +
        `    maxmemory-policy on ${NODE}: allkeys-lru -> volatile-lru\n` +
        '    ConfigMap langgraph-agent/redis-session-config redis.conf: maxmemory-policy allkeys-lru -> maxmemory-policy volatile-lru\n' +
        `    requested by @${REQUESTER}, approved by @${APPROVER}`,
    );
    expect(io.err()).toBe('');
  });

  it('takes a count and --json (the entries as stored), and says when there is nothing', async () => {
    const json = captureIo({ STATE_REDIS_URL: sharedRedisUrl() });
    expect(await runCli(['audit', 'prod', '1', '--json', '--config', config], json)).toBe(0);
    const entries = JSON.parse(json.out()) as { event: string; changes: { before: string; after: string }[] }[];
    expect(entries.map((e) => e.event)).toEqual(['apply']);
    expect(entries[0]!.changes[0]).toMatchObject({ before: 'allkeys-lru', after: 'volatile-lru' });
    const none = captureIo({ STATE_REDIS_URL: sharedRedisUrl() });
    expect(await runCli(['audit', 'dev', '--config', config], none)).toBe(0);
    expect(none.out()).toContain('No remediation audit entries for dev yet.');
  });

  it('refuses without STATE_REDIS_URL, an unknown environment and a bad count, saying why', async () => {
    const noState = captureIo({});
    expect(await runCli(['audit', 'prod', '--config', config], noState)).toBe(2);
    expect(noState.err()).toContain(
      "audit reads the remediation audit from the bot's state Redis: set STATE_REDIS_URL",
    );
    const env = captureIo({ STATE_REDIS_URL: sharedRedisUrl() });
    expect(await runCli(['audit', 'staging', '--config', config], env)).toBe(2);
    expect(env.err()).toMatch(/Unknown environment "staging"/);
    const count = captureIo({ STATE_REDIS_URL: sharedRedisUrl() });
    expect(await runCli(['audit', 'prod', 'many', '--config', config], count)).toBe(2);
    expect(count.err()).toContain('the count is a whole number from 1 to 100, got "many"');
    const none = captureIo({});
    expect(await runCli(['audit'], none)).toBe(2);
    expect(none.err()).toMatch(
      /^session-ttl: audit needs an environment name\nUsage: session-ttl audit <env> \[count\]/,
    );
  });
});
