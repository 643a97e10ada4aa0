import type { Redis } from 'ioredis';
import { z } from 'zod';
import { STATE_KEY_PREFIX } from '../../core/ports/state-store.js';
import { stateStoreFailure, type StateStoreOptions } from './redis-state-store.js';
import type { StreamStore } from '../../core/ports/stream-store.js';

/** The Redis commands the stream store uses. */
export type StreamRedis = Pick<Redis, 'xadd' | 'xrevrange'>;

// XREVRANGE replies [id, [field, value, ...]] per entry; checked because the audit reads rely on it.
const rangeReply = z.array(z.tuple([z.string(), z.array(z.string())]));

/**
 * Capped streams in the state Redis (`XADD key MAXLEN ~ n *`): `~` lets Redis trim whole nodes, so a
 * stream may hold somewhat more than `maxLen` entries, never unboundedly more.
 */
export function redisStreamStore(client: StreamRedis, opts: StateStoreOptions = {}): StreamStore {
  const prefix = opts.prefix ?? STATE_KEY_PREFIX;
  const failed = stateStoreFailure(opts);
  const call = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      throw failed(err);
    });
  return {
    shared: true,
    async append(key, fields, maxLen) {
      const flat = Object.entries(fields).flat();
      const id = await call(client.xadd(`${prefix}${key}`, 'MAXLEN', '~', String(maxLen), '*', ...flat));
      if (!id) throw new Error(`XADD to ${prefix}${key} returned no id`);
      return id;
    },
    async latest(key, count) {
      const reply = rangeReply.parse(await call(client.xrevrange(`${prefix}${key}`, '+', '-', 'COUNT', count)));
      return reply.map(([id, flat]) => {
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
        return { id, fields };
      });
    },
  };
}
