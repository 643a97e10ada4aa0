import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** Port of this worker's redis-server (the global setup starts one per worker). */
function workerRedisPort(): number {
  const ports = inject('redisPorts');
  const poolId = Number(process.env.VITEST_POOL_ID);
  const port = ports[poolId - 1];
  if (!Number.isInteger(poolId) || port === undefined) {
    throw new Error(
      `No redis-server for VITEST_POOL_ID=${process.env.VITEST_POOL_ID}: the global setup started ${ports.length} (one per worker).`,
    );
  }
  return port;
}

/**
 * URL of this worker's redis-server. Files in one worker run one after another, so a file has the
 * server to itself; files in other workers use other servers.
 */
export function sharedRedisUrl(): string {
  return `redis://127.0.0.1:${workerRedisPort()}`;
}

/** A client of this worker's server, reset to a clean, default state. */
export async function resetSharedRedis(): Promise<Redis> {
  const client = new Redis(sharedRedisUrl(), { lazyConnect: true });
  await client.connect();
  await client.flushall();
  await client.config('SET', 'maxmemory', '0');
  await client.config('SET', 'maxmemory-policy', 'noeviction');
  await client.config('RESETSTAT');
  return client;
}
