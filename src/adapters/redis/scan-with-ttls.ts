import type { Redis } from 'ioredis';

/** One key and its PTTL in ms (-1 no TTL, -2 gone). */
export interface KeyTtl {
  key: string;
  pttlMs: number;
}

/**
 * Walks every key of one node that matches `pattern` (SCAN, `count` at a time) and hands each batch on
 * with its TTLs, read by `pttl` in one round trip per batch: the monitor's rebuild on one node, and on
 * each master of a cluster.
 */
export async function scanWithTtls(
  node: Redis,
  pattern: string,
  count: number,
  pttl: (keys: string[]) => Promise<number[]>,
  onBatch: (batch: KeyTtl[]) => void,
): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    if (keys.length) {
      const ttls = await pttl(keys);
      onBatch(keys.map((key, i) => ({ key, pttlMs: ttls[i] ?? -2 })));
    }
  } while (cursor !== '0');
}
