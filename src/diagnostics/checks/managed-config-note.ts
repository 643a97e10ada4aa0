import type { EnvironmentConfig } from '../../config/config.js';
import { configBlockedBy } from '../../config/redis-provider.js';

/**
 * Says, in the check's summary, that a managed service (`redis.provider`) blocks CONFIG and what the check
 * read from INFO instead; nothing on a self-managed Redis (there a refused CONFIG is said in the evidence).
 *
 * @example
 * noteManagedConfig(ctx, 'maxmemory-policy')
 * // "AWS ElastiCache blocks CONFIG (redis.provider: elasticache): maxmemory-policy read from INFO"
 */
export function noteManagedConfig(
  ctx: { env: Pick<EnvironmentConfig, 'redis'>; note?: (message: string) => void },
  what: string,
): void {
  const service = configBlockedBy(ctx.env.redis.provider);
  if (service)
    ctx.note?.(`${service} blocks CONFIG (redis.provider: ${ctx.env.redis.provider}): ${what} read from INFO`);
}
