import { count, decimal } from '../core/format.js';

/** Keys drawn elsewhere (the bar chart). */
const HIDDEN = new Set(['buckets']);

const isScalar = (v: unknown) =>
  v === null || v === undefined || ['string', 'number', 'boolean', 'bigint'].includes(typeof v);

function formatScalar(v: unknown): string {
  // Evidence keeps measured fractions (ratios, rates), so up to three decimals survive here.
  if (typeof v === 'number') return Number.isInteger(v) ? count(v) : decimal(v, 3);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return '-';
}

/**
 * A value short enough for a one-line summary, or undefined for raw data (objects, lists of objects)
 * that only the JSON report shows, and for a value that was not measured (null). A list of names shows
 * its first three and how many more.
 */
function summaryValue(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (isScalar(v)) return formatScalar(v);
  if (Array.isArray(v) && v.every(isScalar)) {
    const shown = v.slice(0, 3).map(formatScalar).join(', ');
    return v.length > 3 ? `${shown} (+${v.length - 3} more)` : shown || 'none';
  }
  return undefined;
}

/** The evidence of a finding folded for reading: the first plain `key=value` pairs, and how many were left out. */
export interface EvidenceSummary {
  pairs: string[];
  /** Entries not shown: beyond the limit, raw data (JSON objects, lists of objects) or null. */
  omitted: number;
}

/**
 * Folds evidence for Slack and the terminal: at most `limit` plain pairs in the order the check wrote
 * them; JSON blobs and anything past the limit are counted, not shown (the JSON report keeps them).
 * Shared by both renderers so they show the same numbers. Pure.
 *
 * @example
 * evidenceSummary({ policy: 'allkeys-lru', usedRatio: 0.9634, stale: [{ pod: 'a' }] }, 4)
 * // { pairs: ['policy=allkeys-lru', 'usedRatio=0.963'], omitted: 1 }
 */
export function evidenceSummary(evidence: Record<string, unknown>, limit = 4): EvidenceSummary {
  const entries = Object.entries(evidence).filter(([k]) => !HIDDEN.has(k));
  const pairs: string[] = [];
  for (const [k, v] of entries) {
    if (pairs.length >= limit) break;
    const text = summaryValue(v);
    if (text !== undefined) pairs.push(`${k}=${text}`);
  }
  return { pairs, omitted: entries.length - pairs.length };
}
