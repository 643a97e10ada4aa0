/**
 * Deterministic samples of remaining TTLs from a store where a share of the sessions is written with a
 * shorter TTL (issue 18 item 10): what a 1000-key SCAN sample of such a store reads, without a Redis.
 * Used by test/diagnostics/sampling/short-population-stability.test.ts and bench/short-population.ts.
 */
import { aboveTolerance } from '../../src/diagnostics/sampling/keyspace-sampler.js';
import { TtlStats } from '../../src/diagnostics/sampling/ttl-stats.js';

/** mulberry32: a small seeded PRNG, so that every sample is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ShortPopulationShape {
  seed: number;
  /** Keys in the sample (the sampler reads 1000 by default). */
  n?: number;
  /** Share of the keys written with `shortTtlSeconds`, 0..1. */
  share: number;
  expectedTtlSeconds: number;
  shortTtlSeconds: number;
  /**
   * How long ago each session was last written or refreshed: `uniform` (steady writes, ages spread evenly
   * within the TTL, the sliding window refreshing nobody), or `sliding` (a share of the sessions in use,
   * refreshed within the last minute, the rest idle for a time spread evenly within their TTL).
   */
  ages?: 'uniform' | 'sliding';
  /** With `sliding`: the share of sessions in use (default 0.2). */
  activeShare?: number;
}

/** The remaining TTLs (ms) of one sample of that store, in SCAN order (shuffled). */
export function remainingTtlsMs(shape: ShortPopulationShape): number[] {
  const rand = seededRandom(shape.seed);
  const n = shape.n ?? 1000;
  const active = shape.ages === 'sliding' ? (shape.activeShare ?? 0.2) : 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const ttl = rand() < shape.share ? shape.shortTtlSeconds : shape.expectedTtlSeconds;
    const idle = rand() < active ? rand() * 60 : rand() * ttl;
    // PTTL as Redis answers: whole ms, at least 1 while the key is there.
    out.push(Math.max(1, Math.floor((ttl - idle) * 1000)));
  }
  return out;
}

/** Those remaining TTLs in the statistics the keyspace sampler fills. */
export function statsOf(pttlsMs: readonly number[], expectedTtlSeconds: number): TtlStats {
  const stats = new TtlStats({ expectedTtlSeconds, aboveToleranceSeconds: aboveTolerance(expectedTtlSeconds) });
  for (const ms of pttlsMs) stats.add(ms);
  return stats;
}
