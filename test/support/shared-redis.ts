import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** URL of the suite's shared redis-server (started by the global setup). */
export function sharedRedisUrl(): string {
  return `redis://127.0.0.1:${inject('redisPort')}`;
}

/** A client of the shared server, reset to a clean, default state (test files run one at a time). */
export async function resetSharedRedis(): Promise<Redis> {
  const client = new Redis(sharedRedisUrl(), { lazyConnect: true });
  await client.connect();
  await client.flushall();
  await client.config('SET', 'maxmemory', '0');
  await client.config('SET', 'maxmemory-policy', 'noeviction');
  await client.config('RESETSTAT');
  return client;
}
