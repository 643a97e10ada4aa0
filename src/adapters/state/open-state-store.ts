import { Redis } from 'ioredis';
import type { Logger } from '../../core/logging.js';
import { memoryStateStore } from './memory-state-store.js';
import { memoryStreamStore } from './memory-stream-store.js';
import { redisStateStore } from './redis-state-store.js';
import { redisStreamStore } from './redis-stream-store.js';
import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import type { StreamStore } from '../../core/ports/stream-store.js';

export interface OpenStateStore {
  store: CasStateStore;
  /** Capped append-only streams (the remediation audit) in the same Redis, or memory. */
  streams: StreamStore;
  close: () => Promise<void>;
}

/** host:port of a Redis URL, never its credentials. */
function address(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'an unparsable URL';
  }
}

/**
 * The bot's state store and streams: the Redis at `url` (STATE_REDIS_URL), or, unset, memory, with a
 * warning that replicas will not share alert dedupe, cooldowns, pending requests, locks or the audit. A Redis that does not answer at start-up is
 * logged; alert replies fail (and are logged) until it does, slash commands are not affected.
 */
export function openStateStore(opts: { url: string | undefined; logger: Logger }): OpenStateStore {
  if (!opts.url) {
    opts.logger.warn(
      'STATE_REDIS_URL is not set: alert dedupe, cooldowns, pending remediation requests, environment locks and the audit are kept in memory; with more than one replica, an alert may be answered more than once and a request clicked on another replica is not found',
    );
    return { store: memoryStateStore(), streams: memoryStreamStore(), close: async () => undefined };
  }
  const where = address(opts.url);
  const client = new Redis(opts.url, { maxRetriesPerRequest: 2, connectTimeout: 5000 });
  // Without a listener ioredis prints every reconnection error; the commands that fail are logged where used.
  client.on('error', () => undefined);
  client.ping().then(
    () => opts.logger.info({ stateRedis: where }, 'state store: Redis'),
    (err: Error) => opts.logger.warn({ stateRedis: where, err }, 'the state Redis (STATE_REDIS_URL) does not answer'),
  );
  return {
    store: redisStateStore(client, { description: `redis ${where}` }),
    streams: redisStreamStore(client),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
