import { count } from '../core/format.js';

export interface Bucket {
  label: string;
  count: number;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * Draws buckets as aligned text bars, one line each, scaled to the largest count.
 *
 * @example
 * renderBarChart([{ label: '<1m', count: 3 }, { label: '1m-10m', count: 12 }], { width: 10 })
 * // ['<1m     ██▌        3', '1m-10m  ██████████  12']
 */
export function renderBarChart(buckets: readonly Bucket[], opts: { width?: number } = {}): string[] {
  const width = opts.width ?? 20;
  const max = Math.max(0, ...buckets.map((b) => b.count));
  const labelWidth = Math.max(0, ...buckets.map((b) => b.label.length));
  const countWidth = Math.max(0, ...buckets.map((b) => count(b.count).length));
  return buckets.map((b) => {
    const eighths = max > 0 ? Math.round((b.count / max) * width * 8) : 0;
    const bar = '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
    return `${b.label.padEnd(labelWidth)}  ${bar.padEnd(width)}  ${count(b.count).padStart(countWidth)}`;
  });
}
