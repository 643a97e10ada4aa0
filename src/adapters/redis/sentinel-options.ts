import type { RedisOptions } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import { UserError } from '../../core/errors.js';

/** How to reach a Sentinel-managed master: the sentinels to ask and as whom. Holds a password: never log it. */
export interface SentinelConnect {
  sentinels: { host: string; port: number }[];
  /** The master name the sentinels monitor. */
  name: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
}

/** `host:port` (IPv6 in brackets) to its parts. */
export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(i + 1)) };
}

/**
 * The sentinels of an environment with `redis.sentinel`, their credentials read from the env vars the config
 * names (an unset password var is a UserError); undefined for any other store.
 */
export function sentinelConnect(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): SentinelConnect | undefined {
  const s = env.redis.sentinel;
  if (!s) return undefined;
  const password = s.passwordEnv ? processEnv[s.passwordEnv] : undefined;
  if (s.passwordEnv && password === undefined) {
    throw new UserError(
      `The Sentinel password env var ${s.passwordEnv} (redis.sentinel.passwordEnv of environment "${env.name}") is not set in the bot's environment.`,
      'redis_config',
    );
  }
  const username = s.usernameEnv ? processEnv[s.usernameEnv] : undefined;
  return {
    sentinels: s.nodes.map(splitHostPort),
    name: s.masterName,
    ...(password !== undefined ? { sentinelPassword: password } : {}),
    ...(username !== undefined ? { sentinelUsername: username } : {}),
  };
}

/**
 * ioredis options that make a client connect to the current master through the sentinels (its URL's host is
 * then ignored), again at each reconnection. A demoted master's clients are killed by the sentinels
 * (CLIENT KILL); a long-lived connection also follows `+switch-master` (`watchSentinelSwitch`).
 */
export function sentinelClientOptions(s: SentinelConnect | undefined): Partial<RedisOptions> {
  if (!s) return {};
  return {
    sentinels: s.sentinels,
    name: s.name,
    role: 'master',
    ...(s.sentinelUsername !== undefined ? { sentinelUsername: s.sentinelUsername } : {}),
    ...(s.sentinelPassword !== undefined ? { sentinelPassword: s.sentinelPassword } : {}),
  };
}
