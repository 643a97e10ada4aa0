const REDIS_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1e3,
  kb: 1024,
  m: 1e6,
  mb: 1024 ** 2,
  g: 1e9,
  gb: 1024 ** 3,
};

/**
 * Memory sizes as Redis reads them in redis.conf and CONFIG SET: `1k` = 1000, `1kb` = 1024,
 * `1m`/`1mb`, `1g`/`1gb` likewise, case-insensitive, a bare number is bytes. Undefined when not a size.
 */
export function parseRedisMemory(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(b|k|kb|m|mb|g|gb)?\s*$/i.exec(text);
  const factor = REDIS_UNITS[(m?.[2] ?? 'b').toLowerCase()];
  if (!m || factor === undefined) return undefined;
  const bytes = Number(m[1]) * factor;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** The bytes of a size the action's params schema already accepted; throws on anything else (a programming error). */
export function requireRedisMemory(text: string): number {
  const bytes = parseRedisMemory(text);
  if (bytes === undefined) throw new Error(`"${text}" is not a Redis memory size`);
  return bytes;
}

const KUBE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** A Kubernetes memory quantity (`512Mi`, `1G`, `536870912`, `1e9`) in bytes; undefined when unreadable. */
export function parseKubeQuantity(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?(?:[eE]\d+)?)\s*(Ki|Mi|Gi|Ti|k|M|G|T)?\s*$/.exec(text);
  const factor = KUBE_UNITS[m?.[2] ?? ''];
  if (!m || factor === undefined) return undefined;
  return Math.round(Number(m[1]) * factor);
}

/** `536870912` → `512mb`; sizes that are not whole mb/gb stay in bytes. */
export function formatBytes(bytes: number): string {
  if (bytes > 0 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}gb`;
  if (bytes > 0 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}mb`;
  return `${bytes}`;
}
