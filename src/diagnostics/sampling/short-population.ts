import { itemAt } from './item-at.js';
import { roundUpTtl, type TtlStats } from './ttl-stats.js';

/** Keys with a TTL needed before judging the shape of the remaining TTLs. */
export const MIN_KEYS = 100;
/** A pile-up counts from this share of the keys with a TTL... */
export const MIN_SHARE = 0.2;
/** ...under a ceiling at most this share of the expected TTL... */
export const MAX_CEILING_RATIO = 0.75;
/** ...where keys are at least this many times denser than above it. */
export const MIN_DENSITY_RATIO = 2;
const GRID = 200;

/** A population of keys whose remaining TTLs pile up under a ceiling far below the expected TTL. */
export interface ShortPopulation {
  /** The ceiling of the pile-up: about the TTL that population is written with (rounded up). */
  estimatedTtlSeconds: number;
  ceilingSeconds: number;
  /** Share of the keys with a TTL beyond what an even spread of ages up to the expected TTL puts there. */
  share: number;
  /** Keys per second of remaining TTL under the ceiling, over those above it. */
  densityRatio: number;
}

/**
 * Finds a population written with a shorter TTL from remaining TTLs alone. Keys written with the
 * expected TTL T and ages spread evenly have remaining TTLs spread evenly over [0, T]: below any
 * ceiling c there are as many per second as above it. A population written with Ts < T adds keys only
 * under Ts, so the excess below c, F(c) - (F(T) - F(c)) * c / (T - c), rises to that population's share
 * at c = Ts and stays there. Undefined without enough keys, when nearly every key is short (an idle store
 * or one TTL for all: `ttl.effective_below_configured` says that), or without a clear pile-up.
 */
export function findShortPopulation(
  stats: TtlStats,
  expectedTtlSeconds: number,
  aboveCount: number,
): ShortPopulation | undefined {
  const n = stats.withTtl;
  if (n < MIN_KEYS) return undefined;
  const qs = Array.from({ length: GRID - 1 }, (_, i) => (i + 1) / GRID);
  // With keys there, every quantile is a number.
  const cs = stats.quantiles(qs).map((c) => c ?? 0);
  const T = expectedTtlSeconds;
  const fT = 1 - aboveCount / n;
  let best = { excess: 0, i: -1 };
  const excesses = cs.map((c, i) => {
    const f = itemAt(qs, i);
    if (c <= 0 || c >= T * MAX_CEILING_RATIO) return 0;
    const excess = f - Math.max(0, fT - f) * (c / (T - c));
    if (excess > best.excess) best = { excess, i };
    return excess;
  });
  if (best.i < 0 || best.excess < MIN_SHARE) return undefined;
  // The long population must be there too: with (almost) nothing above the ceiling it is one TTL for all.
  if (fT - itemAt(qs, best.i) < 0.1) return undefined;
  // The ceiling: where the excess first reaches 90 % of its peak.
  const at = excesses.findIndex((e) => e >= best.excess * 0.9);
  const c = itemAt(cs, at);
  const f = itemAt(qs, at);
  const below = f / c;
  const above = Math.max(0, fT - f) / (T - c);
  const densityRatio = above > 0 ? below / above : Infinity;
  if (densityRatio < MIN_DENSITY_RATIO) return undefined;
  return {
    estimatedTtlSeconds: roundUpTtl(c),
    ceilingSeconds: Math.round(c),
    share: Math.round(best.excess * 1000) / 1000,
    densityRatio: Number.isFinite(densityRatio) ? Math.round(densityRatio * 10) / 10 : 9999,
  };
}
