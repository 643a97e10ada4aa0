import type { RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import type { EnvironmentConfig } from '../../config/config.js';
import { UserError } from '../../core/errors.js';
import { redisTlsOptions } from './tls-options.js';

/** How to reach a Sentinel-managed master: the sentinels to ask and as whom. Holds a password: never log it. */
export interface SentinelConnect {
  sentinels: { host: string; port: number }[];
  /** The master name the sentinels monitor. */
  name: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** TLS of the connections to the sentinels (`redis.tls` unless `redis.sentinel.tls: false`). Holds the client key. */
  tls?: ConnectionOptions;
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
  const tls = s.tls === false ? undefined : redisTlsOptions(env);
  return {
    sentinels: s.nodes.map(splitHostPort),
    name: s.masterName,
    ...(tls !== undefined ? { tls } : {}),
    ...(password !== undefined ? { sentinelPassword: password } : {}),
    ...(username !== undefined ? { sentinelUsername: username } : {}),
  };
}

/**
 * ioredis options that make a client connect to the current master through the sentinels (its URL's host is
 * then ignored), again at each reconnection. A demoted master's clients are killed by the sentinels
 * (CLIENT KILL); a long-lived connection also follows `+switch-master` (`watchSentinelSwitch`). With `dataTls`
 * (the data nodes' TLS) the master is reached over TLS (ioredis leaves it plain without `enableTLSForSentinelMode`);
 * the sentinels themselves with their own (`sentinelTLS`).
 */
export function sentinelClientOptions(
  s: SentinelConnect | undefined,
  dataTls: ConnectionOptions | undefined,
): Partial<RedisOptions> {
  if (!s) return {};
  return {
    sentinels: s.sentinels,
    name: s.name,
    role: 'master',
    ...(dataTls !== undefined ? { enableTLSForSentinelMode: true } : {}),
    ...(s.tls !== undefined ? { sentinelTLS: s.tls } : {}),
    ...(s.sentinelUsername !== undefined ? { sentinelUsername: s.sentinelUsername } : {}),
    ...(s.sentinelPassword !== undefined ? { sentinelPassword: s.sentinelPassword } : {}),
  };
}
