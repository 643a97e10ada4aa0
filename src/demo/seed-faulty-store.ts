import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { parseInfo } from '../adapters/redis/redis-node.js';

export interface SeedOptions {
  sessions: number;
  /** The TTL the (faulty) writers hard-code, in seconds. */
  writerTtlSeconds: number;
  /** Share of sessions written with a plain SET and no expiry. */
  noTtlRatio: number;
  now: () => number;
}

export interface SeedSummary {
  sessions: number;
  withoutTtl: number;
  fillerKeys: number;
  evictedKeys: number;
  maxmemoryBytes: number;
}

const BATCH = 5000;

async function evictedKeys(client: Redis): Promise<number> {
  return Number(parseInfo(await client.info('stats')).evicted_keys ?? 0);
}

/**
 * Seeds a realistic faulty session store: sessions written with a hard-coded TTL, a share without
 * any TTL, then `allkeys-lru` with maxmemory just above the data so that cache writes evict sessions.
 */
export async function seedFaultyStore(client: Redis, opts: SeedOptions): Promise<SeedSummary> {
  const nowSec = Math.floor(opts.now() / 1000);
  const every = Math.max(1, Math.round(1 / opts.noTtlRatio));
  let withoutTtl = 0;
  for (let start = 0; start < opts.sessions; start += BATCH) {
    const pipeline = client.pipeline();
    for (let i = start; i < Math.min(opts.sessions, start + BATCH); i++) {
      const id = randomBytes(12).toString('hex');
      // Sessions were created over the last TTL; each has decayed by its age.
      const age = Math.floor(Math.random() * opts.writerTtlSeconds * 0.95);
      const value = JSON.stringify({
        session_id: id,
        user_id: `user-${i % 9973}`,
        created_at: nowSec - age,
        roles: ['member'],
        csrf: randomBytes(16).toString('hex'),
      });
      if (i % every === 0) {
        pipeline.set(`session:${id}`, value);
        withoutTtl++;
      } else {
        pipeline.set(`session:${id}`, value, 'EX', opts.writerTtlSeconds - age);
      }
    }
    await pipeline.exec();
  }

  const used = Number(parseInfo(await client.info('memory')).used_memory);
  const maxmemoryBytes = Math.floor(used * 1.03);
  await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
  await client.config('SET', 'maxmemory', String(maxmemoryBytes));

  // Page-cache writes push memory over the limit: Redis starts evicting, sessions included.
  let fillerKeys = 0;
  const filler = 'x'.repeat(2048);
  for (let round = 0; round < 50 && (await evictedKeys(client)) === 0; round++) {
    const pipeline = client.pipeline();
    for (let i = 0; i < 500; i++) pipeline.set(`cache:page:${fillerKeys++}`, filler);
    await pipeline.exec();
  }
  return {
    sessions: opts.sessions,
    withoutTtl,
    fillerKeys,
    evictedKeys: await evictedKeys(client),
    maxmemoryBytes,
  };
}

/** Keeps writing cache pages so evictions keep happening while the diagnosis watches. */
export function startCacheChurn(client: Redis, intervalMs = 50): { stop(): Promise<void> } {
  let n = 0;
  let stopped = false;
  const filler = 'y'.repeat(2048);
  const loop = (async () => {
    while (!stopped) {
      const pipeline = client.pipeline();
      for (let i = 0; i < 100; i++) pipeline.set(`cache:churn:${n++}`, filler);
      await pipeline.exec().catch(() => undefined);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
