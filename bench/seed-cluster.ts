import { Redis } from 'ioredis';
import { keySlot } from '../src/adapters/redis/key-slot.js';
import { paddedSessionKey, seedSessions } from './seed-sessions.js';

/** Port of the master serving each slot, from CLUSTER SLOTS of one node. */
async function slotPorts(anyPort: number): Promise<number[]> {
  const c = new Redis({ port: anyPort, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    const ranges = (await c.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const ports = new Array<number>(16384).fill(0);
    for (const [from, to, [, port]] of ranges) for (let s = from; s <= to; s++) ports[s] = Number(port);
    return ports;
  } finally {
    c.disconnect();
  }
}

/**
 * Seeds `count` sessions over a Redis Cluster as fast as a single node is seeded: the keys
 * (`session:<12 digits>`) are bucketed by their master (CRC16 slot, the cluster's own slot map) and each
 * master gets its share through its own `redis-cli --pipe`, all at once. Returns the keys per master.
 */
export async function seedClusterSessions(opts: {
  masterPorts: readonly number[];
  count: number;
  ttlSeconds: number;
  spreadSeconds: number;
  nowMs: number;
  noTtlEvery?: number;
  keyName?: (i: number) => string;
}): Promise<Map<number, number>> {
  const ports = await slotPorts(opts.masterPorts[0] as number);
  const keyName = opts.keyName ?? paddedSessionKey;
  const buckets = new Map<number, string[]>(opts.masterPorts.map((p) => [p, []]));
  for (let i = 0; i < opts.count; i++) {
    const key = keyName(i);
    const port = ports[keySlot(key)] as number;
    const bucket = buckets.get(port);
    if (!bucket) throw new Error(`slot of ${key} is served by ${port}, not one of the masters given`);
    bucket.push(key);
  }
  await Promise.all(
    [...buckets].map(([port, keys]) =>
      seedSessions({
        port,
        count: keys.length,
        ttlSeconds: opts.ttlSeconds,
        spreadSeconds: opts.spreadSeconds,
        nowMs: opts.nowMs,
        keyName: (i) => keys[i] as string,
        ...(opts.noTtlEvery !== undefined ? { noTtlEvery: opts.noTtlEvery } : {}),
      }),
    ),
  );
  return new Map([...buckets].map(([port, keys]) => [port, keys.length]));
}
