import type { Redis } from 'ioredis';
import { parseConfig, type Config } from '../../src/config/config.js';

export interface VerifyEnvOptions {
  redisUrl: string;
  expectedTtlSeconds?: number;
  slidingWindow?: boolean;
  waitSeconds?: number;
  keyPattern?: string;
  /** Base URL of a (fake) app API; with `tokenEnv` the verification runs in app mode. */
  appBaseUrl?: string;
  tokenEnv?: string;
  appTimeoutMs?: number;
  redisExtra?: Record<string, unknown>;
}

/** A config with one environment `dev` (through the real schema): a short TTL and a short wait, for real-time tests. */
export function verifyConfig(o: VerifyEnvOptions): Config {
  return parseConfig(
    {
      environments: {
        dev: {
          profile: 'development',
          expectedTtlSeconds: o.expectedTtlSeconds ?? 60,
          slidingWindow: o.slidingWindow ?? true,
          redis: { url: o.redisUrl, keyPattern: o.keyPattern ?? 'session:*', ...o.redisExtra },
          verify: { waitSeconds: o.waitSeconds ?? 0.5 },
          ...(o.appBaseUrl
            ? {
                app: {
                  baseUrl: o.appBaseUrl,
                  ...(o.tokenEnv ? { tokenEnv: o.tokenEnv } : {}),
                  ...(o.appTimeoutMs ? { timeoutMs: o.appTimeoutMs } : {}),
                },
              }
            : {}),
        },
        prod: { profile: 'production', redis: { url: o.redisUrl } },
      },
    },
    'verify-test',
  );
}

/** Every key matching `pattern`, by SCAN (what an operator would run to find leftovers). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}
