import { count, decimal } from '../core/format.js';

/** Keys drawn elsewhere (the bar chart) or too bulky for a one-line summary. */
const HIDDEN = new Set(['buckets']);

function formatValue(v: unknown): string {
  // Evidence keeps measured fractions (ratios, rates), so up to three decimals survive here.
  if (typeof v === 'number') return Number.isInteger(v) ? count(v) : decimal(v, 3);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) {
    const shown = v.slice(0, 5).map(formatValue).join(', ');
    return v.length > 5 ? `[${shown}, … ${v.length - 5} more]` : `[${shown}]`;
  }
  if (typeof v === 'object') {
    const text = JSON.stringify(v);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  }
  return String(v as string | number | boolean | bigint);
}

/**
 * Evidence as `key=value` pairs for one line of text, in the order the check wrote them.
 * Shared by the terminal and Slack renderers so both show the same numbers.
 */
export function evidencePairs(evidence: Record<string, unknown>, limit = 8): string[] {
  return Object.entries(evidence)
    .filter(([k]) => !HIDDEN.has(k))
    .slice(0, limit)
    .map(([k, v]) => `${k}=${formatValue(v)}`);
}
