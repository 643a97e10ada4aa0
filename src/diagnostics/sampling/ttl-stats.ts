/**
 * Streaming statistics over remaining TTLs, in bounded memory: exact quantiles while the count is
 * at most `exactCap`, then a fine log-histogram (relative error about 0.25 %), flagged `approximate`.
 */

import { compactDuration } from '../../core/format.js';
import { itemAt } from './item-at.js';
import type { TtlBatchCounts, TtlLayout } from '../../core/ports/session-store.js';

export interface TtlBucket {
  label: string;
  count: number;
}

export interface TtlSummary {
  /** Keys whose PTTL was read (vanished keys excluded). */
  sampled: number;
  withTtl: number;
  noExpiry: number;
  /** Keys that were gone between SCAN and PTTL (PTTL -2). */
  vanished: number;
  minSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
  p99Seconds: number | null;
  maxSeconds: number | null;
  buckets: TtlBucket[];
  /** True once the quantiles come from the histogram rather than exact values. */
  approximate: boolean;
}

/** Fractions of the expected TTL where the distribution's buckets start. */
const BUCKET_FRACTIONS = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

// Log-histogram over [1 ms, ~31 years] with ratio 1.005 per bin: ~5,540 bins of 4 bytes.
const HIST_MIN_SECONDS = 0.001;
const HIST_RATIO = 1.005;
const HIST_LOG_RATIO = Math.log(HIST_RATIO);
const HIST_BINS = Math.ceil(Math.log(1e9 / HIST_MIN_SECONDS) / HIST_LOG_RATIO) + 1;

/** TTLs that applications commonly configure, in seconds. */
const COMMON_TTLS = [
  30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 14400, 21600, 28800, 43200, 86400, 172800,
  259200, 604800, 1209600, 2592000,
];

/**
 * Rounds a TTL estimated from the largest remaining TTLs up to the value a writer most likely used:
 * a common TTL (1h, 12h, 24h, ...) when the estimate is within 5 % below it, else a whole minute.
 *
 * @example roundUpTtl(3564) // 3600
 */
export function roundUpTtl(seconds: number): number {
  const common = COMMON_TTLS.find((c) => c >= seconds);
  if (common !== undefined && seconds >= common * 0.95) return common;
  if (seconds < 120) return Math.ceil(seconds);
  return Math.ceil(seconds / 60) * 60;
}

/**
 * Rounds a TTL estimated from where remaining TTLs stop to the value a writer most likely used: a common TTL
 * when the estimate is within 5 % below or 2 % above it (a sample's edge can hold a value or two from above),
 * else `roundUpTtl`.
 *
 * @example snapTtl(3610) // 3600
 */
export function snapTtl(seconds: number): number {
  return COMMON_TTLS.find((c) => seconds >= c * 0.95 && seconds <= c * 1.02) ?? roundUpTtl(seconds);
}

/** Rounds a precisely computed TTL (from timestamps) to the nearest second, snapping to a common TTL within 0.1 % (or 2 s). */
export function roundTtl(seconds: number): number {
  const near = COMMON_TTLS.find((c) => Math.abs(seconds - c) <= Math.max(2, c * 0.001));
  return near ?? Math.round(seconds);
}

/** Labels and upper edges (seconds) of the TTL buckets, relative to the expected TTL. */
export function bucketEdges(
  expectedTtlSeconds: number,
  aboveToleranceSeconds: number,
): { label: string; upTo: number }[] {
  const edges = BUCKET_FRACTIONS.map((f) => expectedTtlSeconds * f);
  // Compact on purpose: these labels fill the narrow label column of the TTL bar chart.
  const fmt = compactDuration;
  const out = edges.map((upTo, i) => {
    const from = edges[i - 1];
    return { label: from === undefined ? `<${fmt(upTo)}` : `${fmt(from)}-${fmt(upTo)}`, upTo };
  });
  out.push({
    label: `${fmt(itemAt(edges, edges.length - 1))}-${fmt(expectedTtlSeconds)}`,
    upTo: expectedTtlSeconds + aboveToleranceSeconds,
  });
  out.push({ label: `>${fmt(expectedTtlSeconds)}`, upTo: Infinity });
  return out;
}

export interface TtlStatsOptions {
  expectedTtlSeconds: number;
  /** A remaining TTL above expected + this counts as above the configured TTL. */
  aboveToleranceSeconds: number;
  /** Exact values kept up to this count (default 10,000). */
  exactCap?: number;
}

/** Accumulates PTTL replies one by one. */
export class TtlStats {
  private readonly edges: { label: string; upTo: number }[];
  private readonly bucketCounts: number[];
  private readonly hist = new Uint32Array(HIST_BINS);
  private readonly exactCap: number;
  private exact: Float64Array | undefined = new Float64Array(1024);
  private min = Infinity;
  private max = -Infinity;
  withTtl = 0;
  noExpiry = 0;
  vanished = 0;

  constructor(opts: TtlStatsOptions) {
    this.edges = bucketEdges(opts.expectedTtlSeconds, opts.aboveToleranceSeconds);
    this.bucketCounts = this.edges.map(() => 0);
    this.exactCap = opts.exactCap ?? 10_000;
  }

  /** Adds one PTTL reply in ms (-1 no expiry, -2 gone). */
  add(pttlMs: number): void {
    if (pttlMs === -2) {
      this.vanished++;
      return;
    }
    if (pttlMs < 0) {
      this.noExpiry++;
      return;
    }
    const s = pttlMs / 1000;
    const n = this.withTtl++;
    if (s < this.min) this.min = s;
    if (s > this.max) this.max = s;
    let b = 0;
    // The last edge is Infinity, so the search ends inside the list.
    while (s >= (this.edges[b]?.upTo ?? Infinity)) b++;
    this.bucketCounts[b]!++;
    this.hist[binOf(s)]!++;
    if (this.exact) {
      if (n >= this.exactCap) this.exact = undefined;
      else {
        if (n >= this.exact.length) {
          const grown = new Float64Array(Math.min(this.exactCap, this.exact.length * 2));
          grown.set(this.exact);
          this.exact = grown;
        }
        this.exact[n] = s;
      }
    }
  }

  /** The bucket edges and histogram a server-side script fills for `addCounts` (above the configured TTL beyond `aboveMs`). */
  layout(aboveMs: number): TtlLayout {
    return {
      bucketEdgesSeconds: this.edges.slice(0, -1).map((e) => e.upTo),
      histogram: { minSeconds: HIST_MIN_SECONDS, logRatio: HIST_LOG_RATIO, bins: HIST_BINS },
      aboveMs,
    };
  }

  /**
   * Merges one batch counted elsewhere (a script inside Redis) on the `layout()` buckets. Counts and
   * buckets stay exact; quantiles come from the histogram from then on (`approximate`).
   */
  addCounts(
    c: Pick<TtlBatchCounts, 'vanished' | 'noExpiry' | 'withTtl' | 'minMs' | 'maxMs' | 'buckets' | 'bins'>,
  ): void {
    if (c.buckets.length !== this.bucketCounts.length) {
      throw new Error(`a batch with ${c.buckets.length} TTL buckets cannot merge into ${this.bucketCounts.length}`);
    }
    this.vanished += c.vanished;
    this.noExpiry += c.noExpiry;
    if (c.withTtl === 0) return;
    this.withTtl += c.withTtl;
    if (c.minMs !== null && c.minMs / 1000 < this.min) this.min = c.minMs / 1000;
    if (c.maxMs !== null && c.maxMs / 1000 > this.max) this.max = c.maxMs / 1000;
    c.buckets.forEach((n, i) => (this.bucketCounts[i]! += n));
    for (const [bin, n] of c.bins) this.hist[Math.min(HIST_BINS - 1, Math.max(0, bin))]! += n;
    this.exact = undefined;
  }

  get approximate(): boolean {
    return this.exact === undefined;
  }

  /** Nearest-rank quantile of the remaining TTLs in seconds; null with no keys. */
  quantiles(qs: readonly number[]): (number | null)[] {
    const n = this.withTtl;
    if (n === 0) return qs.map(() => null);
    const ranks = qs.map((q) => Math.min(n, Math.max(1, Math.ceil(q * n))));
    if (this.exact) {
      const sorted = this.exact.slice(0, n).sort();
      return ranks.map((r) => itemAt(sorted, r - 1));
    }
    return ranks.map((r) => {
      let seen = 0;
      for (let i = 0; i < HIST_BINS; i++) {
        seen += this.hist[i] ?? 0;
        if (seen >= r) return Math.min(this.max, Math.max(this.min, binMid(i)));
      }
      return this.max;
    });
  }

  /**
   * The remaining TTLs in seconds, sorted: every value while they are exact, else `points` values read off the
   * histogram at evenly spaced quantiles (a stand-in sample with the same shape).
   */
  sortedValues(points = 2000): Float64Array {
    const n = this.withTtl;
    if (this.exact) return this.exact.slice(0, n).sort();
    const m = Math.min(n, points);
    const qs = Array.from({ length: m }, (_, i) => (i + 0.5) / m);
    return Float64Array.from(this.quantiles(qs).map((v) => v ?? 0));
  }

  summary(): TtlSummary {
    const [p50, p90, p99] = this.quantiles([0.5, 0.9, 0.99]);
    const r = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 10) / 10);
    return {
      sampled: this.withTtl + this.noExpiry,
      withTtl: this.withTtl,
      noExpiry: this.noExpiry,
      vanished: this.vanished,
      minSeconds: this.withTtl ? r(this.min) : null,
      p50Seconds: r(p50),
      p90Seconds: r(p90),
      p99Seconds: r(p99),
      maxSeconds: this.withTtl ? r(this.max) : null,
      buckets: [
        ...this.edges.map((e, i) => ({ label: e.label, count: this.bucketCounts[i] ?? 0 })),
        { label: 'no expiry', count: this.noExpiry },
      ],
      approximate: this.approximate,
    };
  }
}

function binOf(seconds: number): number {
  if (seconds <= HIST_MIN_SECONDS) return 0;
  return Math.min(HIST_BINS - 1, Math.floor(Math.log(seconds / HIST_MIN_SECONDS) / HIST_LOG_RATIO) + 1);
}

function binMid(i: number): number {
  if (i === 0) return HIST_MIN_SECONDS;
  return HIST_MIN_SECONDS * Math.pow(HIST_RATIO, i - 0.5);
}

export interface TtlCluster {
  /** Median TTL of the cluster, rounded (see `roundTtl`). */
  ttlSeconds: number;
  count: number;
  share: number;
  minSeconds: number;
  maxSeconds: number;
}

/**
 * Groups TTLs that lie within a tolerance of each cluster's smallest value (max(absTol, relTol x
 * value)), largest cluster first. Anchoring on the smallest value keeps a slow drift from chaining
 * every value into one cluster.
 */
export function clusterTtls(values: readonly number[], opts: { relTol?: number; absTol?: number } = {}): TtlCluster[] {
  const relTol = opts.relTol ?? 0.02;
  const absTol = opts.absTol ?? 5;
  const sorted = [...values].sort((a, b) => a - b);
  const clusters: number[][] = [];
  let current: number[] = [];
  for (const v of sorted) {
    const start = current[0];
    if (start !== undefined && v - start > Math.max(absTol, start * relTol)) {
      clusters.push(current);
      current = [];
    }
    current.push(v);
  }
  if (current.length) clusters.push(current);
  return clusters
    .map((c) => ({
      ttlSeconds: roundTtl(itemAt(c, Math.floor(c.length / 2))),
      count: c.length,
      share: Math.round((c.length / sorted.length) * 1000) / 1000,
      minSeconds: Math.round(itemAt(c, 0)),
      maxSeconds: Math.round(itemAt(c, c.length - 1)),
    }))
    .sort((a, b) => b.count - a.count || a.ttlSeconds - b.ttlSeconds);
}
