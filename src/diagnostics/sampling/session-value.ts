import { z } from 'zod';

/**
 * The timestamps a session value carries, in ms since the epoch. Session values are the
 * application's data: JSON strings or Redis hashes. Anything unreadable yields no timestamps.
 */
export interface SessionTimestamps {
  createdAt?: number;
  lastAccessAt?: number;
}

const CREATED_FIELDS = ['created_at', 'createdAt'] as const;
const LAST_ACCESS_FIELDS = ['last_accessed_at', 'lastAccessedAt', 'last_access', 'updated_at', 'updatedAt'] as const;

/** Below this a numeric timestamp is read as seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_LIMIT = 1e11;

const timestampSchema = z.union([z.number().finite().positive(), z.string().trim().min(1)]);

/**
 * Parses one timestamp: a number (seconds or ms, told apart by magnitude), a numeric string (as in
 * a hash field) or an ISO 8601 string. Returns ms, or undefined when the value is not a time.
 *
 * @example
 * parseTimestamp(1700000000)              // 1700000000000
 * parseTimestamp('1700000000123')         // 1700000000123
 * parseTimestamp('2023-11-14T22:13:20Z')  // 1700000000000
 */
export function parseTimestamp(raw: unknown): number | undefined {
  const parsed = timestampSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const v = parsed.data;
  if (typeof v === 'number') return v < SECONDS_LIMIT ? v * 1000 : v;
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    if (!(n > 0)) return undefined;
    return n < SECONDS_LIMIT ? n * 1000 : n;
  }
  // Only ISO-like strings: Date.parse accepts too much ("1", "May") otherwise.
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}

function firstTimestamp(obj: Record<string, unknown>, fields: readonly string[]): number | undefined {
  for (const f of fields) {
    if (f in obj) {
      const ms = parseTimestamp(obj[f]);
      if (ms !== undefined) return ms;
    }
  }
  return undefined;
}

/** A JSON object (not an array, not null): its fields by name. */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: string | Record<string, string>): Record<string, unknown> | undefined {
  if (typeof value !== 'string') return value;
  const text = value.trimStart();
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the creation and last-access times out of a session value (JSON string or hash).
 * Accepts `created_at` / `createdAt` and `last_accessed_at` / `lastAccessedAt` / `last_access` /
 * `updated_at` / `updatedAt`.
 */
export function readSessionTimestamps(value: string | Record<string, string> | undefined): SessionTimestamps {
  if (value === undefined) return {};
  const obj = asObject(value);
  if (!obj) return {};
  const out: SessionTimestamps = {};
  const createdAt = firstTimestamp(obj, CREATED_FIELDS);
  const lastAccessAt = firstTimestamp(obj, LAST_ACCESS_FIELDS);
  if (createdAt !== undefined) out.createdAt = createdAt;
  if (lastAccessAt !== undefined) out.lastAccessAt = lastAccessAt;
  return out;
}
