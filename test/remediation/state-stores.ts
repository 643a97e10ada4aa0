import { Redis } from 'ioredis';
import { memoryStateStore } from '../../src/adapters/state/memory-state-store.js';
import { redisStateStore } from '../../src/adapters/state/redis-state-store.js';
import type { CasStateStore } from '../../src/core/ports/cas-state-store.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

/** A test clock: time moves only when the test says so. */
export function testClock(start = Date.UTC(2026, 11, 1, 12, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** The two state stores the bot can run with: memory, and the suite's real redis-server. */
export interface StoreKind {
  name: 'memory' | 'redis';
  /** A fresh, empty store; `now` drives the memory store's expiry. */
  open(now: () => number): Promise<CasStateStore>;
  /** Another replica's view of the same store (a separate connection for Redis). */
  replica(): Promise<CasStateStore>;
  close(): Promise<void>;
}

export function storeKinds(): StoreKind[] {
  let mem: CasStateStore | undefined;
  const clients: Redis[] = [];
  const connect = async () => {
    const c = new Redis(sharedRedisUrl(), { lazyConnect: true });
    await c.connect();
    clients.push(c);
    return c;
  };
  return [
    {
      name: 'memory',
      async open(now) {
        mem = memoryStateStore({ now });
        return mem;
      },
      async replica() {
        if (!mem) throw new Error('open first');
        return mem;
      },
      async close() {
        mem = undefined;
      },
    },
    {
      name: 'redis',
      async open() {
        clients.push(await resetSharedRedis());
        return redisStateStore(await connect());
      },
      async replica() {
        return redisStateStore(await connect());
      },
      async close() {
        await Promise.all(clients.splice(0).map((c) => c.quit()));
      },
    },
  ];
}
