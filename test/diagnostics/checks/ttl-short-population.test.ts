import type { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ttlSampleCheck } from '../../../src/diagnostics/checks/ttl-sample.js';
import { rankScenarios } from '../../../src/diagnostics/scenarios.js';
import { defaultCatalogue } from '../../../src/diagnostics/catalogue/default-catalogue.js';
import { resetSharedRedis } from '../../support/shared-redis.js';
import { findingById, findingIds, makeContext, plantSessions, runChecked } from '../check-context.js';

// Issue 10 item 5: half the sessions written with a much shorter TTL, the sliding window on and values
// carrying only created_at (so no original TTLs): the remaining TTLs alone must show the population.

let client: Redis;
beforeEach(async () => {
  client?.disconnect();
  client = await resetSharedRedis();
});
afterAll(() => client?.disconnect());

const run = () =>
  runChecked(ttlSampleCheck, makeContext({ clients: [client], expectedTtlSeconds: 3600, slidingWindow: true }));

describe('ttl.short_population', () => {
  it('half the sessions at 600 s next to half at 3600 s: critical, ~600 s, about half, Scenario 6 likely', async () => {
    // Given: 500 sessions with the configured 3600 s and 500 with a hard-coded 600 s, ages spread evenly
    // within each TTL, values with created_at only
    await plantSessions(client, {
      count: 500,
      prefix: 'ok',
      ttlSeconds: 3600,
      maxAgeSeconds: 3600,
      createdAt: 'seconds',
    });
    await plantSessions(client, {
      count: 500,
      prefix: 'short',
      ttlSeconds: 600,
      maxAgeSeconds: 600,
      createdAt: 'seconds',
    });

    const findings = await run();

    const f = findingById(findings, 'ttl.short_population');
    expect(f.severity).toBe('critical');
    const ev = f.evidence as { estimatedTtlSeconds: number; share: number; affected: number; withTtl: number };
    expect(ev.estimatedTtlSeconds).toBeGreaterThanOrEqual(560);
    expect(ev.estimatedTtlSeconds).toBeLessThanOrEqual(660);
    expect(ev.share).toBeGreaterThan(0.4);
    expect(ev.share).toBeLessThan(0.6);
    expect(ev.withTtl).toBe(1000);
    expect(f.title).toMatch(/^About \d+(\.\d)?% of sessions are written with a TTL of ~\d+ s/);
    // And the distribution says why the original TTLs could not be used.
    expect(findingIds(findings)).not.toContain('ttl.effective_below_configured');
    const scenarios = rankScenarios(
      findings.map((x) => ({ ...x, check: 'ttl-sample' })),
      [{ id: 'ttl-sample', status: 'findings', durationMs: 1 }],
      defaultCatalogue,
    );
    expect(scenarios[0]).toMatchObject({ scenario: 6, likelihood: 'likely', evidence: ['ttl.short_population'] });
  });

  it('a quarter of the sessions at 900 s (a quarter of the TTL): critical, with about a quarter', async () => {
    await plantSessions(client, { count: 750, prefix: 'ok', ttlSeconds: 3600, maxAgeSeconds: 3600 });
    await plantSessions(client, { count: 250, prefix: 'short', ttlSeconds: 900, maxAgeSeconds: 900 });

    const f = findingById(await run(), 'ttl.short_population');

    // 25-50% of the sessions far below the TTL is critical (issue 18 item 8); under half of them: no escalation.
    expect(f.severity).toBe('critical');
    expect(f.evidence.harm).toMatchObject({ level: 'critical' });
    expect((f.evidence as { share: number }).share).toBeGreaterThan(0.18);
    expect((f.evidence as { share: number }).share).toBeLessThan(0.32);
  });

  it('a healthy store with an even spread of ages does not trigger it', async () => {
    await plantSessions(client, { count: 1000, ttlSeconds: 3600, maxAgeSeconds: 3600, createdAt: 'seconds' });
    expect(findingIds(await run())).toEqual(['ttl.distribution']);
  });

  it('every session short (one TTL for all) is effective_below_configured, not a second population', async () => {
    await plantSessions(client, { count: 1000, ttlSeconds: 600, maxAgeSeconds: 600 });
    const ids = findingIds(await run());
    expect(ids).toContain('ttl.effective_below_configured');
    expect(ids).not.toContain('ttl.short_population');
  });
});
