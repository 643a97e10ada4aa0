import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import type { EnvironmentConfig } from '../../config/config.js';
import { clusterError, clusterSeeds } from './cluster-client.js';
import { classifyRedisError, type RedisSourceError } from './redis-error.js';
import { tlsFailure } from './tls-errors.js';
import type { Cluster } from 'ioredis';

/**
 * Opens one TLS connection and sends PING: the TLS error it meets, or undefined when the server answers
 * (or nothing happens within `timeoutMs`). The PING matters for TLS 1.3, where a server that refuses the
 * client's certificate says so only after the client's side of the handshake is done.
 */
export function probeTls(host: string, port: number, tls: ConnectionOptions, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...tls });
    const done = (result: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('secureConnect', () => socket.write('PING\r\n'));
    socket.once('data', () => done(undefined));
    socket.once('error', (err) => done(err));
  });
}

/**
 * `clusterError`, and when no seed answered a TLS client, why: ioredis refreshes the slot map on a
 * connection whose errors it discards, so a certificate problem reaches the bot as "no seed answered".
 * One handshake with the first seed then names it (`kind: 'tls'`).
 */
export async function clusterFailure(
  env: Pick<EnvironmentConfig, 'redis'>,
  cluster: Cluster,
  err: unknown,
  opts: { user?: string; tls?: ConnectionOptions; timeoutMs: number },
): Promise<RedisSourceError> {
  const typed = clusterError(env, cluster, err, opts.user);
  const [seed] = clusterSeeds(env);
  if (typed.kind !== 'unreachable' || !opts.tls || !seed) return typed;
  const probed = await probeTls(seed.host, seed.port, opts.tls, opts.timeoutMs);
  if (!tlsFailure(probed)) return typed;
  const address = `${seed.host}:${seed.port}`;
  return classifyRedisError(probed, { address, command: 'CLUSTER SLOTS', ...(opts.user ? { user: opts.user } : {}) });
}
