import { describe, expect, it } from 'vitest';
import { parseTimestamp, readSessionTimestamps } from '../../../src/diagnostics/sampling/session-value.js';
import {
  bucketEdges,
  clusterTtls,
  roundTtl,
  roundUpTtl,
  TtlStats,
} from '../../../src/diagnostics/sampling/ttl-stats.js';

describe('TTL rounding', () => {
  it('rounds an estimate from the largest remaining TTLs up to the likely configured value', () => {
    expect(roundUpTtl(3564)).toBe(3600);
    expect(roundUpTtl(42768)).toBe(43200);
    expect(roundUpTtl(86300)).toBe(86400);
    expect(roundUpTtl(5000)).toBe(5040); // not near a common TTL: whole minutes
    expect(roundUpTtl(97.2)).toBe(98);
  });

  it('rounds a TTL computed from timestamps to the nearest second, snapping to a common value', () => {
    expect(roundTtl(3600.7)).toBe(3600);
    expect(roundTtl(3617)).toBe(3617);
    expect(roundTtl(1234.4)).toBe(1234);
  });
});

describe('bucketEdges', () => {
  it('labels buckets relative to the expected TTL', () => {
    expect(bucketEdges(86400, 864).map((b) => b.label)).toEqual([
      '<2h24m',
      '2h24m-6h',
      '6h-12h',
      '12h-18h',
      '18h-21h36m',
      '21h36m-1d',
      '>1d',
    ]);
  });
});

describe('TtlStats', () => {
  it('counts no-expiry and vanished keys apart from keys with a TTL', () => {
    const s = new TtlStats({ expectedTtlSeconds: 3600, aboveToleranceSeconds: 36 });
    for (const p of [-1, -1, -2, 1000, 2_000_000, 3_700_000]) s.add(p);
    const sum = s.summary();
    expect(sum).toMatchObject({
      sampled: 5,
      withTtl: 3,
      noExpiry: 2,
      vanished: 1,
      minSeconds: 1,
      maxSeconds: 3700,
      approximate: false,
    });
    expect(sum.buckets.map((b) => b.count)).toEqual([1, 0, 0, 1, 0, 0, 1, 2]);
    expect(sum.buckets.at(-1)).toEqual({ label: 'no expiry', count: 2 });
  });

  it('gives exact quantiles up to the cap and close approximate ones beyond it', () => {
    const exact = new TtlStats({ expectedTtlSeconds: 3600, aboveToleranceSeconds: 36, exactCap: 100_000 });
    const approx = new TtlStats({ expectedTtlSeconds: 3600, aboveToleranceSeconds: 36, exactCap: 1000 });
    // A skewed distribution: most sessions young, a tail of old ones.
    for (let i = 0; i < 50_000; i++) {
      const ms = Math.round(3_600_000 * (1 - Math.pow(((i * 7919) % 50_000) / 50_000, 3)));
      exact.add(ms);
      approx.add(ms);
    }
    const e = exact.summary();
    const a = approx.summary();
    expect(e.approximate).toBe(false);
    expect(a.approximate).toBe(true);
    for (const k of ['p50Seconds', 'p90Seconds', 'p99Seconds'] as const) {
      expect(Math.abs((a[k] as number) - (e[k] as number)) / (e[k] as number)).toBeLessThan(0.005);
    }
    expect(a.minSeconds).toBe(e.minSeconds);
    expect(a.maxSeconds).toBe(e.maxSeconds);
    expect(a.buckets).toEqual(e.buckets);
    expect(e.p50Seconds).toBeCloseTo(3600 * (1 - 0.5 ** 3), -1);
  });

  it('returns nulls with no keys', () => {
    const s = new TtlStats({ expectedTtlSeconds: 60, aboveToleranceSeconds: 5 }).summary();
    expect(s).toMatchObject({ sampled: 0, minSeconds: null, p50Seconds: null, maxSeconds: null });
  });
});

describe('clusterTtls', () => {
  it('groups values within tolerance, biggest group first', () => {
    const values = [...Array(30).fill(3600), 3601, 3599.5, ...Array(10).fill(1800), 1802, 7200];
    const clusters = clusterTtls(values);
    expect(clusters.map((c) => [c.ttlSeconds, c.count])).toEqual([
      [3600, 32],
      [1800, 11],
      [7200, 1],
    ]);
    expect(clusters[0]?.share).toBeCloseTo(32 / 44, 3);
  });

  it('does not chain a slow drift into one cluster', () => {
    const drift = Array.from({ length: 100 }, (_, i) => 1000 + i * 4);
    expect(clusterTtls(drift).length).toBeGreaterThan(3);
  });
});

describe('session values', () => {
  const t = Date.parse('2026-01-02T03:04:05Z');

  it.each([
    ['seconds', t / 1000, t],
    ['ms', t, t],
    ['numeric string', String(t / 1000), t],
    ['ISO string', '2026-01-02T03:04:05Z', t],
    ['ISO with offset', '2026-01-02T04:04:05+01:00', t],
  ])('parses created_at in %s', (_, raw, ms) => expect(parseTimestamp(raw)).toBe(ms));

  it.each([['yesterday'], [''], [-5], [null], [{}], ['12 May']])('rejects %j', (raw) =>
    expect(parseTimestamp(raw)).toBeUndefined(),
  );

  it('reads JSON strings and hashes, under snake or camel case names', () => {
    expect(readSessionTimestamps(JSON.stringify({ created_at: t / 1000, last_accessed_at: t / 1000 + 60 }))).toEqual({
      createdAt: t,
      lastAccessAt: t + 60_000,
    });
    expect(readSessionTimestamps({ createdAt: String(t), updated_at: '2026-01-02T03:05:05Z' })).toEqual({
      createdAt: t,
      lastAccessAt: t + 60_000,
    });
    expect(readSessionTimestamps(JSON.stringify({ createdAt: t, lastAccessedAt: t }))).toEqual({
      createdAt: t,
      lastAccessAt: t,
    });
  });

  it('yields nothing for values that are not objects with timestamps', () => {
    expect(readSessionTimestamps('opaque-token')).toEqual({});
    expect(readSessionTimestamps('{not json')).toEqual({});
    expect(readSessionTimestamps('[1,2]')).toEqual({});
    expect(readSessionTimestamps(JSON.stringify({ user: 'u1' }))).toEqual({});
    expect(readSessionTimestamps(undefined)).toEqual({});
  });
});

describe('TtlStats.addCounts (batches counted inside Redis)', () => {
  /** What the audit script computes for a batch, done here in JS on the same layout. */
  function countsOf(pttls: number[], stats: TtlStats) {
    const layout = stats.layout(3636_000);
    const { minSeconds, logRatio, bins } = layout.histogram;
    const buckets = Array.from({ length: layout.bucketEdgesSeconds.length + 1 }, () => 0);
    const hist = new Map<number, number>();
    const withTtl = pttls.filter((p) => p >= 0);
    for (const p of withTtl) {
      const s = p / 1000;
      let b = 0;
      while (b < layout.bucketEdgesSeconds.length && s >= (layout.bucketEdgesSeconds[b] as number)) b++;
      buckets[b]!++;
      const bin = s <= minSeconds ? 0 : Math.min(bins - 1, Math.floor(Math.log(s / minSeconds) / logRatio) + 1);
      hist.set(bin, (hist.get(bin) ?? 0) + 1);
    }
    return {
      vanished: pttls.filter((p) => p === -2).length,
      noExpiry: pttls.filter((p) => p === -1).length,
      withTtl: withTtl.length,
      minMs: withTtl.length ? Math.min(...withTtl) : null,
      maxMs: withTtl.length ? Math.max(...withTtl) : null,
      buckets,
      bins: [...hist.entries()],
    };
  }

  it('gives the same counts and buckets as adding each PTTL, and quantiles within the histogram error', () => {
    const pttls = Array.from({ length: 5000 }, (_, i) =>
      i % 50 === 0 ? -1 : i % 97 === 0 ? -2 : 1000 + ((i * 7919) % 3_600_000),
    );
    const one = new TtlStats({ expectedTtlSeconds: 3600, aboveToleranceSeconds: 36 });
    for (const p of pttls) one.add(p);
    const merged = new TtlStats({ expectedTtlSeconds: 3600, aboveToleranceSeconds: 36 });
    for (let i = 0; i < pttls.length; i += 1000) merged.addCounts(countsOf(pttls.slice(i, i + 1000), merged));

    const a = one.summary();
    const b = merged.summary();
    expect(b).toMatchObject({
      sampled: a.sampled,
      withTtl: a.withTtl,
      noExpiry: a.noExpiry,
      vanished: a.vanished,
      minSeconds: a.minSeconds,
      maxSeconds: a.maxSeconds,
      buckets: a.buckets,
    });
    expect(b.approximate).toBe(true);
    expect(Math.abs((b.p50Seconds as number) / (a.p50Seconds as number) - 1)).toBeLessThan(0.005);
    expect(Math.abs((b.p99Seconds as number) / (a.p99Seconds as number) - 1)).toBeLessThan(0.005);
  });

  it('refuses a batch counted on other buckets', () => {
    const stats = new TtlStats({ expectedTtlSeconds: 3600, aboveToleranceSeconds: 36 });
    expect(() =>
      stats.addCounts({ vanished: 0, noExpiry: 0, withTtl: 1, minMs: 1, maxMs: 1, buckets: [1], bins: [] }),
    ).toThrow(/cannot merge/);
  });
});
