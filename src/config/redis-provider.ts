import { z } from 'zod';

/** Where an environment's Redis runs: a managed service blocks CONFIG; `self-managed` (the default) does not. */
export const REDIS_PROVIDERS = ['elasticache', 'memorystore', 'azure', 'self-managed'] as const;
export type RedisProvider = (typeof REDIS_PROVIDERS)[number];

export const redisProviderSchema = z
  .enum(REDIS_PROVIDERS, { error: `expected one of ${REDIS_PROVIDERS.join(' | ')}` })
  .default('self-managed');

/** The managed services by name, as messages say them. */
const MANAGED: Record<Exclude<RedisProvider, 'self-managed'>, string> = {
  elasticache: 'AWS ElastiCache',
  memorystore: 'Google Cloud Memorystore',
  azure: 'Azure Cache for Redis',
};

/**
 * The managed service that blocks CONFIG for this provider, by name; undefined for a self-managed Redis.
 *
 * @example
 * configBlockedBy('elasticache') // 'AWS ElastiCache'
 */
export function configBlockedBy(provider: RedisProvider | undefined): string | undefined {
  return provider === undefined || provider === 'self-managed' ? undefined : MANAGED[provider];
}
