import { snapTtl, type TtlStats } from './ttl-stats.js';

/** Keys with a TTL needed before judging the shape of the remaining TTLs. */
export const MIN_KEYS = 100;
/** A population counts from this share of the keys with a TTL... */
export const MIN_SHARE = 0.1;
/** ...under a ceiling at most this share of the expected TTL... */
export const MAX_CEILING_RATIO = 0.75;
/** ...where keys are at least this many times denser than above it... */
export const MIN_DENSITY_RATIO = 2;
/** ...with at least this share of the keys above it (else it is one TTL for all: effective_below's to say)... */
export const MIN_LONG_SHARE = 0.1;
/**
 * ...and the two populations explain the sample this much better than one (log-likelihood ratio, natural
 * log): a healthy store's samples stay far below it (bench/short-population.ts counts its false alarms).
 */
export const MIN_LOG_LIKELIHOOD_RATIO = 12;
/** Resamples of the sample that say how stable the estimate is. */
export const RESAMPLES = 100;
/** The resampling is seeded: the same sample gives the same evidence. */
const RESAMPLE_SEED = 0x5eed;
/** A stand-in sample read off the histogram has at most this many values (a full audit). */
const MAX_POINTS = 2000;

/** How far the estimate moves between resamples of the sample: 90% intervals. */
export interface ShortPopulationUncertainty {
  /** Where the TTL lies in 90% of the resamples that find the population (widened up by the gap a sample leaves). */
  ttlSeconds: { low: number; high: number };
  share: { low: number; high: number };
  resamples: number;
  /** The share of the resamples that find the population at all. */
  foundIn: number;
}

/** A population of keys whose remaining TTLs pile up under a ceiling far below the expected TTL. */
export interface ShortPopulation {
  /** The ceiling of the pile-up: about the TTL that population is written with (`snapTtl`: a common TTL near it, else up to the minute). */
  estimatedTtlSeconds: number;
  ceilingSeconds: number;
  /** Share of the keys with a TTL beyond what an even spread of ages up to the expected TTL puts there. */
  share: number;
  /** Keys per second of remaining TTL under the ceiling, over those above it. */
  densityRatio: number;
  /** Log-likelihood ratio of two populations over one. */
  logLikelihoodRatio: number;
  uncertainty: ShortPopulationUncertainty;
}

/** The best two-population fit: `k` of `m` keys at or under the ceiling `c`, `share` of them beyond the even spread. */
interface Fit {
  k: number;
  m: number;
  c: number;
  share: number;
  llr: number;
}

/**
 * The ceiling that explains the sample best. Keys written with the expected TTL T and ages spread evenly
 * have remaining TTLs spread evenly over [0, T]; a share s written with Ts < T adds density s / Ts under Ts.
 * For a ceiling c with k of the m keys under it, the most likely share is k/m - (1 - k/m) c / (T - c) (the
 * excess over the even spread), and the log-likelihood ratio of that mixture over one even spread is
 * k ln(1 - s + s T / c) + (m - k) ln(1 - s). The ceiling is the sampled value with the largest ratio: the
 * largest remaining TTL of the short population, where the density drops. Taking the likeliest ceiling,
 * rather than the first value where the excess nears its peak, keeps the estimate where the density drops
 * (above Ts the excess stays flat, and its noise used to move the ceiling far up).
 *
 * `counts` weights each value (a resample); without it every value counts once.
 */
function fitCeiling(values: Float64Array, ttl: number, counts?: Int32Array): Fit | undefined {
  const m = counts ? counts.reduce((a, b) => a + b, 0) : values.length;
  let k = 0;
  let best: Fit | undefined;
  for (let i = 0; i < values.length; i++) {
    const weight = counts ? (counts[i] ?? 0) : 1;
    k += weight;
    const c = values[i] ?? 0;
    // A ceiling is a value of the sample, with every key of that value under it.
    if (weight === 0 || values[i + 1] === c) continue;
    if (c >= ttl * MAX_CEILING_RATIO) break;
    const p = k / m;
    if (c <= 0 || p < MIN_SHARE) continue;
    const share = p - ((1 - p) * c) / (ttl - c);
    if (share <= 0) continue;
    const llr = k * Math.log(1 - share + (share * ttl) / c) + (m - k) * Math.log(1 - share);
    if (!best || llr > best.llr) best = { k, m, c, share, llr };
  }
  return best;
}

const densityRatioOf = (f: Fit, ttl: number) => f.k / f.m / f.c / ((1 - f.k / f.m) / (ttl - f.c));

/** Whether a fit is a population: big enough, far enough below, denser, next to a long one, and likely. */
function isPopulation(f: Fit | undefined, ttl: number): f is Fit {
  return (
    f !== undefined &&
    f.share >= MIN_SHARE &&
    1 - f.k / f.m >= MIN_LONG_SHARE &&
    densityRatioOf(f, ttl) >= MIN_DENSITY_RATIO &&
    f.llr >= MIN_LOG_LIKELIHOOD_RATIO
  );
}

/** mulberry32: a small seeded PRNG. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The q-quantile of sorted numbers (nearest rank). */
const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;

/**
 * Resamples the sample (with replacement, seeded) and fits each: how often the population is found, and the
 * 5th-95th percentiles of its TTL and share. The largest value of a sample falls short of the TTL by about
 * Ts / (keys in the population); the upper end is widened by 2.3 such gaps (90% of the gap's spread).
 */
function uncertaintyOf(values: Float64Array, ttl: number, fit: Fit): ShortPopulationUncertainty {
  const rand = seeded(RESAMPLE_SEED);
  const counts = new Int32Array(values.length);
  const ttls: number[] = [];
  const shares: number[] = [];
  for (let r = 0; r < RESAMPLES; r++) {
    counts.fill(0);
    for (let j = 0; j < values.length; j++) counts[Math.floor(rand() * values.length)]! += 1;
    const f = fitCeiling(values, ttl, counts);
    if (!isPopulation(f, ttl)) continue;
    ttls.push(snapTtl(f.c));
    shares.push(f.share);
  }
  ttls.sort((a, b) => a - b);
  shares.sort((a, b) => a - b);
  const estimate = snapTtl(fit.c);
  const gapHigh = snapTtl(fit.c * (1 + 2.3 / Math.max(1, fit.share * fit.m)));
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    ttlSeconds: {
      low: Math.min(estimate, ttls.length ? quantile(ttls, 0.05) : estimate),
      high: Math.max(estimate, gapHigh, ttls.length ? quantile(ttls, 0.95) : estimate),
    },
    share: {
      low: r3(Math.min(fit.share, shares.length ? quantile(shares, 0.05) : fit.share)),
      high: r3(Math.max(fit.share, shares.length ? quantile(shares, 0.95) : fit.share)),
    },
    resamples: RESAMPLES,
    foundIn: r3(ttls.length / RESAMPLES),
  };
}

/**
 * Finds a population written with a shorter TTL from remaining TTLs alone (see `fitCeiling`), with how
 * stable the estimate is over resamples of the sample. Undefined without enough keys, when nearly every key
 * is short (an idle store or one TTL for all: `ttl.effective_below_configured` says that), or without a
 * clear pile-up. Remaining TTLs above the expected TTL count as the long population.
 */
export function findShortPopulation(stats: TtlStats, expectedTtlSeconds: number): ShortPopulation | undefined {
  if (stats.withTtl < MIN_KEYS) return undefined;
  const values = stats.sortedValues(MAX_POINTS);
  const fit = fitCeiling(values, expectedTtlSeconds);
  if (!isPopulation(fit, expectedTtlSeconds)) return undefined;
  const densityRatio = densityRatioOf(fit, expectedTtlSeconds);
  return {
    estimatedTtlSeconds: snapTtl(fit.c),
    ceilingSeconds: Math.round(fit.c),
    share: Math.round(fit.share * 1000) / 1000,
    densityRatio: Number.isFinite(densityRatio) ? Math.round(densityRatio * 10) / 10 : 9999,
    logLikelihoodRatio: Math.round(fit.llr * 10) / 10,
    uncertainty: uncertaintyOf(values, expectedTtlSeconds, fit),
  };
}
