import type { Redis } from 'ioredis';
import { parseInfo } from '../../src/adapters/redis/redis-node.js';

/** redis-server arguments of a store that evicts: 8 MB under allkeys-lru. */
export const EVICTING_REDIS_ARGS = ['--maxmemory', '8mb', '--maxmemory-policy', 'allkeys-lru'];

/** Keys Redis has evicted so far (INFO stats). */
export async function evictedKeys(admin: Redis): Promise<number> {
  return Number(parseInfo(await admin.info('stats')).evicted_keys);
}

/**
 * Writes ~2 KB sessions (8,000 of them, TTLs of 600-3600 s) into a redis-server started with
 * {@link EVICTING_REDIS_ARGS} until it evicts, then raises maxmemory to 256 KB (3 %) above what is used, as a
 * store that has just been evicting has: at exactly zero headroom any command evicts, since the server
 * allocates a 16 KB query buffer for a client that sends one (measured: a first diagnosis then evicts ~25
 * keys of 2 KB, INFO alone a few). Used by the suite (do-no-harm) and by `npm run bench` (bench/do-no-harm.ts).
 */
export async function fillToMaxmemory(admin: Redis): Promise<void> {
  const nowSec = Math.floor(Date.now() / 1000);
  const pad = 'x'.repeat(2000);
  for (let round = 0; round < 8; round++) {
    const p = admin.pipeline();
    for (let i = 0; i < 1000; i++) {
      const n = round * 1000 + i;
      p.set(
        `session:${n}`,
        JSON.stringify({ user_id: `u${n}`, created_at: nowSec - (n % 3000), pad }),
        'EX',
        3600 - (n % 3000),
      );
    }
    await p.exec();
  }
  const used = Number(parseInfo(await admin.info('memory')).used_memory);
  await admin.config('SET', 'maxmemory', String(used + 256 * 1024));
}

/** ~2 KB session values as the fills write them. */
function sessionValue(n: number, nowSec: number): string {
  return JSON.stringify({ user_id: `u${n}`, created_at: nowSec - (n % 3000), pad: 'x'.repeat(2000) });
}

/**
 * Writes ~2 KB sessions (TTLs of 600-3600 s, from `session:<from>` on) into a redis-server started with
 * {@link EVICTING_REDIS_ARGS} until it has evicted at least `evictions` keys, and leaves it there: at its limit,
 * with no headroom (issue 18 item 11). Returns the next free session number, to fill again from.
 */
export async function fillUntilEvicting(admin: Redis, from = 0, evictions = 20): Promise<number> {
  const nowSec = Math.floor(Date.now() / 1000);
  const start = await evictedKeys(admin);
  let n = from;
  while ((await evictedKeys(admin)) < start + evictions) {
    const p = admin.pipeline();
    for (let i = 0; i < 100; i++, n++) p.set(`session:${n}`, sessionValue(n, nowSec), 'EX', 3600 - (n % 3000));
    await p.exec();
  }
  return n;
}
