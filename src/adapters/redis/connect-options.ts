import type { EnvironmentConfig } from '../../config/config.js';
import { UserError } from '../../core/errors.js';
import type { RedisConnectOptions } from './redis-node.js';
import { redisTlsOptions } from './tls-options.js';
import { sentinelConnect } from './sentinel-options.js';

/** `host:port` of a Redis URL, for messages and evidence: never the password. */
export function redactedAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'invalid-url';
  }
}

/**
 * Connection options of an environment's Redis. The password and user name come from the env vars
 * that the config names, never from the config file; a named var that is unset is a UserError. TLS
 * comes from `redis.tls` (or a rediss:// URL) and applies to every connection opened with these options.
 */
export function redisConnectOptions(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): RedisConnectOptions {
  const { redis } = env;
  const password = redis.passwordEnv ? processEnv[redis.passwordEnv] : undefined;
  if (redis.passwordEnv && password === undefined) {
    throw new UserError(
      `The Redis password env var ${redis.passwordEnv} (redis.passwordEnv of environment "${env.name}") is not set in the bot's environment.`,
      'redis_config',
    );
  }
  const username = redis.usernameEnv ? processEnv[redis.usernameEnv] : undefined;
  const tls = redisTlsOptions(env);
  const sentinel = sentinelConnect(env, processEnv);
  return {
    url: redis.url,
    connectTimeoutMs: redis.connectTimeoutMs,
    ...(password !== undefined ? { password } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(sentinel !== undefined ? { sentinel } : {}),
  };
}
