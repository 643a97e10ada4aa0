/**
 * `npx tsx bench/short-population.ts [--seeds N] [--n N]` (`npm run bench:short`): issue 18 item 10, how
 * stable `ttl.short_population` is over samples. For each share of short sessions (10-60%) and TTL ratio
 * (1/2-1/24 of 1 d), N seeded 1000-key samples of remaining TTLs (test/support/short-population-sample.ts:
 * the store the sampler reads, without Redis) go through the estimator the check uses. Printed per cell:
 * the detection rate, the estimated TTL's error against the TTL the short sessions were written with
 * (median and worst of the detected), the share's error, and how often the stated 90% interval of the TTL
 * holds the true TTL. Then the false alarms on healthy stores (no short sessions), and the issue's store:
 * 30% at 3,600 s among 86,400 s (the sliding window on in the configuration, values with created_at only: the
 * estimate comes from remaining TTLs alone).
 *
 * Two age models: `uniform` (steady writes, nobody refreshed) and `sliding` (20% of the sessions in use,
 * refreshed within the last minute; the rest idle for a time spread within their TTL).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findShortPopulation } from '../src/diagnostics/sampling/short-population.js';
import { remainingTtlsMs, statsOf, type ShortPopulationShape } from '../test/support/short-population-sample.js';

const DAY = 86_400;
const SHARES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
const RATIOS: [string, number][] = [
  ['1/2', 1 / 2],
  ['1/4', 1 / 4],
  ['1/6', 1 / 6],
  ['1/12', 1 / 12],
  ['1/24', 1 / 24],
];
const AGE_MODELS = ['uniform', 'sliding'] as const;

export interface CellResult {
  ages: (typeof AGE_MODELS)[number];
  share: number;
  ratio: string;
  runs: number;
  detected: number;
  /** |estimated TTL - written TTL| / written TTL of the detected runs. */
  ttlErrorMedian: number | null;
  ttlErrorMax: number | null;
  /** |estimated share - share| of the detected runs. */
  shareErrorMedian: number | null;
  /** Detected runs whose stated 90% TTL interval holds the written TTL (null when no interval is stated). */
  intervalHolds: number | null;
}

interface Uncertain {
  uncertainty?: { ttlSeconds: { low: number; high: number } };
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? null;
}

/** One cell of the grid: `seeds` samples of that store through the estimator. */
export function runCell(shape: Omit<ShortPopulationShape, 'seed'>, seeds: number, firstSeed = 1): CellResult {
  const ttlErrors: number[] = [];
  const shareErrors: number[] = [];
  let holds = 0;
  let stated = 0;
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const stats = statsOf(remainingTtlsMs({ ...shape, seed }), shape.expectedTtlSeconds);
    const found = findShortPopulation(stats, shape.expectedTtlSeconds);
    if (!found) continue;
    ttlErrors.push(Math.abs(found.estimatedTtlSeconds - shape.shortTtlSeconds) / shape.shortTtlSeconds);
    shareErrors.push(Math.abs(found.share - shape.share));
    const interval = (found as Uncertain).uncertainty?.ttlSeconds;
    if (interval) {
      stated++;
      if (interval.low <= shape.shortTtlSeconds && shape.shortTtlSeconds <= interval.high) holds++;
    }
  }
  return {
    ages: shape.ages ?? 'uniform',
    share: shape.share,
    ratio: `${shape.shortTtlSeconds}/${shape.expectedTtlSeconds}`,
    runs: seeds,
    detected: ttlErrors.length,
    ttlErrorMedian: median(ttlErrors),
    ttlErrorMax: ttlErrors.length ? Math.max(...ttlErrors) : null,
    shareErrorMedian: median(shareErrors),
    intervalHolds: stated ? holds / stated : null,
  };
}

const pct = (v: number | null, digits = 1) => (v === null ? '-' : `${(v * 100).toFixed(digits)}%`);

function row(label: string, c: CellResult): string {
  return (
    `| ${label} | ${pct(c.detected / c.runs, 0)} | ${pct(c.ttlErrorMedian)} | ${pct(c.ttlErrorMax)} | ` +
    `${pct(c.shareErrorMedian)} | ${pct(c.intervalHolds, 0)} |`
  );
}

export function runBench(seeds: number, n: number): { lines: string[]; cells: CellResult[]; falseAlarms: number[] } {
  const lines: string[] = [];
  const cells: CellResult[] = [];
  const header =
    '| share, TTL | detected | TTL error median | TTL error worst | share error median | 90% interval holds |';
  for (const ages of AGE_MODELS) {
    lines.push('', `### ${ages} ages, ${seeds} seeds per cell, ${n}-key samples, expected TTL 86,400 s`, '', header);
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const share of SHARES) {
      for (const [label, ratio] of RATIOS) {
        const cell = runCell(
          { n, share, expectedTtlSeconds: DAY, shortTtlSeconds: Math.round(DAY * ratio), ages },
          seeds,
        );
        cells.push(cell);
        lines.push(row(`${share * 100}%, ${label}`, cell));
      }
    }
  }
  const falseAlarms = AGE_MODELS.map((ages) => {
    const healthy = runCell({ n, share: 0, expectedTtlSeconds: DAY, shortTtlSeconds: DAY, ages }, seeds * 5);
    lines.push('', `Healthy store (${ages} ages): detected in ${healthy.detected} of ${healthy.runs} samples.`);
    return healthy.detected / healthy.runs;
  });
  const issue = AGE_MODELS.map((ages) => {
    const c = runCell({ n, share: 0.3, expectedTtlSeconds: DAY, shortTtlSeconds: 3600, ages }, seeds * 5, 10_000);
    lines.push(
      '',
      `Issue 18's store (30% at 3,600 s among 86,400 s, ${ages} ages): found in ${c.detected} of ${c.runs} ` +
        `samples; TTL error median ${pct(c.ttlErrorMedian)}, worst ${pct(c.ttlErrorMax)}; 90% interval holds ` +
        `in ${pct(c.intervalHolds, 0)}.`,
    );
    return c;
  });
  return { lines, cells: [...cells, ...issue], falseAlarms };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { seeds: { type: 'string' }, n: { type: 'string' } } });
  const seeds = Number(values.seeds ?? 200);
  const n = Number(values.n ?? 1000);
  const t0 = Date.now();
  const { lines } = runBench(seeds, n);
  console.log(lines.join('\n'));
  console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
