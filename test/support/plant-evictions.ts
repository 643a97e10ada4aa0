import type { Redis } from 'ioredis';

/**
 * Runbook Scenario 1 for real: `allkeys-lru` with a 3 MB maxmemory, then 16 MB of cache writes, so that
 * Redis evicts keys (sessions among them) and memory sits at its limit.
 */
export async function plantAllkeysEvictions(redis: Redis): Promise<void> {
  await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
  await redis.config('SET', 'maxmemory', '3mb');
  const filler = 'z'.repeat(4096);
  for (let round = 0; round < 20; round++) {
    const p = redis.pipeline();
    for (let i = 0; i < 200; i++) p.set(`cache:${round}:${i}`, filler);
    await p.exec();
  }
}
