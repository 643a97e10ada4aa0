import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import { evictionHarm } from '../../src/diagnostics/checks/memory.js';
import { escalationFinding } from '../../src/diagnostics/escalation.js';
import { harmLevel, harmSeverity } from '../../src/diagnostics/harm.js';
import type { Finding, Report } from '../../src/diagnostics/types.js';
import { captureIo } from '../support/cli-io.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';
import { plantSessions } from './check-context.js';

// Issue 18 item 8: severity from share x shortfall, the same rule for short TTLs, missing TTLs and evictions.

describe('harmLevel: share x shortfall', () => {
  it.each([
    // share, lifetime ratio (null: no TTL), level
    [1, 0.25, 'escalate'],
    [0.6, 0.4, 'escalate'],
    [0.5, 1 / 12, 'escalate'],
    [0.5, 0.49, 'escalate'],
    [0.49, 1 / 24, 'critical'],
    [0.3, 1 / 12, 'critical'],
    [0.25, 0.49, 'critical'],
    [0.25, 0.25, 'critical'],
    [0.15, 1 / 24, 'critical'],
    [0.12, 1 / 24, 'warning'],
    [0.2, 0.45, 'warning'],
    [0.1, 1 / 12, 'warning'],
    // Not far below the TTL: a warning whatever the share.
    [1, 0.5, 'warning'],
    [1, 0.7, 'warning'],
    [0.6, 0.9, 'warning'],
    // Without a TTL: half the sessions or more escalates, a quarter is critical.
    [0.6, null, 'escalate'],
    [0.5, null, 'escalate'],
    [0.3, null, 'critical'],
    [0.25, null, 'critical'],
    [0.2, null, 'warning'],
    [0.02, null, 'warning'],
  ] as const)('%s of the sessions at %s of the TTL: %s', (share, lifetimeRatio, level) => {
    expect(harmLevel({ share, lifetimeRatio })).toBe(level);
    expect(harmSeverity({ share, lifetimeRatio })).toBe(level === 'warning' ? 'warning' : 'critical');
  });
});

describe('evictions: the share of keys ending by eviction, and how long keys live at that pace', () => {
  it.each([
    // evicted, expired in a 1 s window, keys, expected TTL, level
    [100, 0, 50_000, 86_400, 'escalate'], // every key ends by eviction after ~500 s of 1 d
    [100, 200, 50_000, 86_400, 'critical'], // a third by eviction, keys live ~170 s
    [10, 90, 50_000, 86_400, 'warning'], // a tenth by eviction
    [1, 0, 1_000_000, 86_400, 'warning'], // one eviction a second in a million keys: keys outlive their TTL
  ] as const)('%s evicted and %s expired per second in %s keys, TTL %s s: %s', (evicted, expired, keys, ttl, level) => {
    const harm = evictionHarm({ evictedInWindow: evicted, expiredInWindow: expired, elapsedMs: 1000, keys }, ttl);
    expect(harm && harmLevel(harm)).toBe(level);
  });

  it('past evictions alone carry no harm estimate (a warning)', () => {
    expect(evictionHarm({ evictedInWindow: 0, expiredInWindow: 5, elapsedMs: 1000, keys: 100 }, 3600)).toBeUndefined();
  });

  const evictionFinding = (evicted: number, expired: number): Finding => ({
    id: 'memory.evictions',
    check: 'memory',
    severity: 'critical',
    title: 't',
    detail: 'd',
    evidence: {
      usedMemory: 1e6,
      usedMemoryHuman: '1M',
      maxmemory: 1e6,
      maxmemoryHuman: '1M',
      usedRatio: 1,
      address: '127.0.0.1:6379',
      evictedKeys: 1000,
      evictedInWindow: evicted,
      ratePerSecond: evicted,
      windowMs: 1000,
      keys: 50_000,
      expiredInWindow: expired,
    },
  });

  it('escalates only when evictions end half the keys or more, far below the TTL', () => {
    const env = { expectedTtlSeconds: 86_400 };
    expect(escalationFinding([evictionFinding(100, 0)], env)?.evidence).toMatchObject({ share: 1 });
    expect(escalationFinding([evictionFinding(100, 200)], env)).toBeUndefined();
  });
});

describe('severity and exit code on a real store (issue 18 item 8)', () => {
  let redis: Redis;
  beforeEach(async () => {
    redis = await resetSharedRedis();
  });
  afterEach(() => redis.disconnect());

  /** A production-like environment (1 d, sliding window on) on the shared Redis, without Kubernetes. */
  function writeConfig(): string {
    const dir = mkdtempSync(join(tmpdir(), 'harm-'));
    const env = { profile: 'production', expectedTtlSeconds: 86_400, redis: { url: sharedRedisUrl() } };
    writeFileSync(
      join(dir, 'session-ttl.yaml'),
      stringify({ environments: { prod: env }, defaults: { rateWindowMs: 0 } }),
    );
    return join(dir, 'session-ttl.yaml');
  }

  /** `share` of `n` sessions written with `shortTtl` (ages spread within it), the rest with 1 d; created_at only. */
  async function plantShare(share: number, shortTtl: number | undefined, n = 1000): Promise<void> {
    const short = Math.round(n * share);
    await plantSessions(redis, {
      count: n - short,
      prefix: 'ok',
      ttlSeconds: 86_400,
      maxAgeSeconds: 86_400,
      createdAt: 'seconds',
    });
    await plantSessions(redis, {
      count: short,
      prefix: 'short',
      ...(shortTtl === undefined ? {} : { ttlSeconds: shortTtl, maxAgeSeconds: shortTtl }),
      createdAt: 'seconds',
    });
  }

  async function diagnose(): Promise<{ code: number; report: Report }> {
    const io = captureIo();
    const code = await runCli(['diagnose', 'prod', '--config', writeConfig(), '--json'], io);
    return { code, report: JSON.parse(io.out()) as Report };
  }
  const severityOf = (r: Report, id: string) => r.findings.find((f) => f.id === id)?.severity;
  const escalated = (r: Report) => r.findings.some((f) => f.id === 'escalation.severe');

  it('30% of the sessions living 1/12 of their TTL is critical and exits 1, without escalation', async () => {
    await plantShare(0.3, 7200);
    const { code, report } = await diagnose();
    expect(severityOf(report, 'ttl.short_population')).toBe('critical');
    expect(escalated(report)).toBe(false);
    expect(code).toBe(1);
  });

  it('60% of the sessions living 1/12 of their TTL is critical and raises escalation.severe', async () => {
    await plantShare(0.6, 7200);
    const { code, report } = await diagnose();
    expect(severityOf(report, 'ttl.short_population')).toBe('critical');
    expect(report.findings.find((f) => f.id === 'escalation.severe')).toMatchObject({
      severity: 'critical',
      evidence: { basis: 'short population (ttl-sample)' },
    });
    expect(report.findings.find((f) => f.id === 'escalation.severe')?.title).toMatch(
      /^\d+(\.\d)?% of the sessions live about (1 h \d+ min|2 h), under half the expected 1 d: escalate$/,
    );
    expect(code).toBe(1);
  });

  it('ttl.no_expiry: 5% is a warning (exit 0), 30% critical (exit 1), 60% escalates', async () => {
    await plantShare(0.05, undefined);
    let { code, report } = await diagnose();
    expect([severityOf(report, 'ttl.no_expiry'), escalated(report), code]).toEqual(['warning', false, 0]);

    await redis.flushall();
    await plantShare(0.3, undefined);
    ({ code, report } = await diagnose());
    expect([severityOf(report, 'ttl.no_expiry'), escalated(report), code]).toEqual(['critical', false, 1]);

    await redis.flushall();
    await plantShare(0.6, undefined);
    ({ code, report } = await diagnose());
    expect([severityOf(report, 'ttl.no_expiry'), escalated(report), code]).toEqual(['critical', true, 1]);
    expect(report.findings.find((f) => f.id === 'escalation.severe')?.title).toMatch(
      /of the sessions never expire: escalate$/,
    );
  });
});
