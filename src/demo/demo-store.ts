import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { type Config, parseConfig } from '../config/config.js';
import { UserError } from '../core/errors.js';
import { DEMO_ENV } from './demo-env.js';
import { redisServerAvailable, startRedisServer } from './redis-process.js';
import { seedFaultyStore, startCacheChurn, type SeedSummary } from './seed-faulty-store.js';

export { DEMO_ENV };
export const DEMO_SESSIONS = 50_000;
const DEMO_MANIFESTS = fileURLToPath(new URL('../../manifests/demo', import.meta.url));
/** The demo's verify waits seconds, not the default minute. */
const DEMO_VERIFY_WAIT_SECONDS = 3;

export interface DemoStore {
  /** A config with the one environment `demo`: the store's Redis and the cluster state of manifests/demo. */
  config: Config;
  port: number;
  seeded: SeedSummary;
  /** Keeps writing cache pages (Redis keeps evicting) until the returned stop is called. */
  churn(): { stop(): Promise<void> };
  stop(): Promise<void>;
}

export const REDIS_SERVER_MISSING =
  'The demo needs redis-server on PATH.\n' +
  '  Debian/Ubuntu: sudo apt-get install redis-server\n' +
  '  macOS:         brew install redis';

/**
 * Starts a throwaway redis-server on loopback seeded with the demo's faulty store (a hard-coded 3600 s
 * TTL, some sessions without one, allkeys-lru at full memory); `stop` ends it and nothing is kept.
 */
export async function startDemoStore(
  opts: { sessions?: number; redisServerBin?: string; now?: () => number } = {},
): Promise<DemoStore> {
  const bin = opts.redisServerBin ?? 'redis-server';
  if (!redisServerAvailable(bin)) throw new UserError(REDIS_SERVER_MISSING, 'no_redis_server');
  const server = await startRedisServer([], bin);
  const client = new Redis(server.url);
  const stop = async () => {
    client.disconnect();
    await server.stop();
  };
  try {
    const seeded = await seedFaultyStore(client, {
      sessions: opts.sessions ?? DEMO_SESSIONS,
      writerTtlSeconds: 3600,
      noTtlRatio: 0.02,
      now: opts.now ?? Date.now,
    });
    const config = parseConfig(
      {
        environments: {
          [DEMO_ENV]: {
            profile: 'production',
            redis: { url: server.url },
            kubernetes: { manifests: DEMO_MANIFESTS, namespace: 'langgraph-agent' },
            verify: { waitSeconds: DEMO_VERIFY_WAIT_SECONDS },
          },
        },
      },
      'demo',
    );
    return { config, port: server.port, seeded, churn: () => startCacheChurn(client), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
