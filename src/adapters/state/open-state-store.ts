import { Redis } from 'ioredis';
import type { Logger } from '../../core/logging.js';
import { memoryStateStore } from './memory-state-store.js';
import { memoryStreamStore } from './memory-stream-store.js';
import { redisStateStore } from './redis-state-store.js';
import { redisStreamStore } from './redis-stream-store.js';
import { trackConnectionErrors } from '../redis/connection-errors.js';
import { classifyRedisError } from '../redis/redis-error.js';
import { materialOptions } from '../redis/tls-options.js';
import { STATE_REDIS_TLS_VARS, type StateRedisTls } from '../../config/state-redis-tls.js';
import type { CasStateStore } from '../../core/ports/cas-state-store.js';
import type { QueueStore } from '../../core/ports/state-store.js';
import type { StreamStore } from '../../core/ports/stream-store.js';

export interface OpenStateStore {
  store: CasStateStore & QueueStore;
  /** Capped append-only streams (the remediation audit) in the same Redis, or memory. */
  streams: StreamStore;
  close: () => Promise<void>;
  /** Whether the store answers (PING within `timeoutMs`); the memory store always does. For `/readyz`. */
  ping: (timeoutMs?: number) => Promise<{ ok: boolean; detail?: string }>;
}

const MEMORY_WARNING =
  'STATE_REDIS_URL is not set: alert dedupe, cooldowns, pending remediation requests, environment locks and ' +
  'the audit are kept in memory; with more than one replica, an alert may be answered more than once and a ' +
  'request clicked on another replica is not found';

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
 * The state Redis' client. It reconnects for ever with a capped backoff; a command during an outage fails
 * after one reconnect attempt. TLS: a rediss:// URL, with the STATE_REDIS_TLS_* files when set.
 */
function connectStateRedis(url: string, tls: StateRedisTls | undefined): Redis {
  const servername = tls?.servername !== undefined ? { servername: tls.servername } : {};
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), 2000),
    ...(tls ? { tls: { ...materialOptions(tls.material), ...servername } } : {}),
  });
}

/**
 * The bot's state store and streams: the Redis at `url` (STATE_REDIS_URL), or, unset, memory, with a
 * warning that replicas will not share alert dedupe, cooldowns, pending requests, locks or the audit.
 * A Redis that does not answer at start-up is logged; alert replies fail (and are logged) until it
 * does, slash commands are not affected.
 */
export function openStateStore(opts: {
  url: string | undefined;
  logger: Logger;
  /** The warning logged when `url` is unset, in place of the default (the bot's says what a crash loses). */
  memoryWarning?: string;
  /** STATE_REDIS_TLS_*: a private CA, a client certificate (`stateRedisTls`); rediss:// alone: the system's CAs. */
  tls?: StateRedisTls;
}): OpenStateStore {
  if (!opts.url) {
    opts.logger.warn(opts.memoryWarning ?? MEMORY_WARNING);
    return {
      store: memoryStateStore(),
      streams: memoryStreamStore(),
      close: async () => undefined,
      ping: async () => ({ ok: true, detail: 'memory' }),
    };
  }
  const where = address(opts.url);
  const client = connectStateRedis(opts.url, opts.tls);
  // The last socket error names a refused connection in the state store's errors; the listener also keeps
  // ioredis from printing every reconnection error (the commands that fail are logged where used).
  const lastConnectionError = trackConnectionErrors(client);
  const named = { address: where, lastConnectionError, tlsNames: STATE_REDIS_TLS_VARS };
  // Why it fails in the adapter's words: a TLS failure names the certificate problem and the env var to fix.
  const why = (err: unknown) =>
    classifyRedisError(err, { ...named, lastConnectionError: lastConnectionError() }).message;
  client.ping().then(
    () => opts.logger.info({ stateRedis: where }, 'state store: Redis'),
    (err: Error) =>
      opts.logger.warn({ stateRedis: where, reason: why(err) }, 'the state Redis (STATE_REDIS_URL) does not answer'),
  );
  return {
    store: redisStateStore(client, { description: `redis ${where}`, ...named }),
    streams: redisStreamStore(client, named),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
    async ping(timeoutMs = 1000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ ok: false; detail: string }>((r) => {
        timer = setTimeout(
          () => r({ ok: false, detail: `the state Redis ${where} did not answer PING within ${timeoutMs} ms` }),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([
          client.ping().then(
            () => ({ ok: true }),
            (err: Error) => ({ ok: false, detail: `the state Redis does not answer: ${why(err)}` }),
          ),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
