import { Cluster, type ClusterOptions, type NatMap } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import type { RedisConnectOptions } from './redis-node.js';
import { MAX_RECONNECT_DELAY_MS } from './redis-node.js';

/** `host:port` → the two parts (IPv6 hosts in brackets). */
export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(i + 1)) };
}

/** The seed nodes of an environment's cluster: the URL's host, then `redis.nodes`. */
export function clusterSeeds(env: Pick<EnvironmentConfig, 'redis'>): { host: string; port: number }[] {
  const url = new URL(env.redis.url);
  const first = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 6379) };
  return [first, ...(env.redis.nodes ?? []).map(splitHostPort)];
}

/** The seeds as `host:port`, for messages: never a password. */
export function clusterSeedsText(env: Pick<EnvironmentConfig, 'redis'>): string {
  return clusterSeeds(env)
    .map((s) => `${s.host}:${s.port}`)
    .join(', ');
}

function natMapOf(env: Pick<EnvironmentConfig, 'redis'>): NatMap | undefined {
  const map = env.redis.natMap;
  if (!map) return undefined;
  return Object.fromEntries(Object.entries(map).map(([announced, reachable]) => [announced, splitHostPort(reachable)]));
}

/**
 * Opens ioredis' Cluster client for an environment, lazily (nothing connects until the first use or
 * `connect()`). Node connections fail fast while a node is down (no per-command retries); the cluster
 * client reconnects and refreshes its slot map by itself with a capped backoff, so a cluster that was
 * down at the bot's start is used once it answers.
 */
export function connectCluster(env: Pick<EnvironmentConfig, 'redis'>, opts: RedisConnectOptions): Cluster {
  const tls = env.redis.url.startsWith('rediss://');
  const natMap = natMapOf(env);
  const options: ClusterOptions = {
    lazyConnect: true,
    enableOfflineQueue: true,
    enableReadyCheck: true,
    maxRedirections: 16,
    retryDelayOnMoved: 0,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: opts.connectTimeoutMs ?? 3000,
    // Reads go to the masters: what the checks read (INFO, CONFIG, SCAN) is per master.
    scaleReads: 'master',
    clusterRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 10), MAX_RECONNECT_DELAY_MS),
    ...(natMap ? { natMap } : {}),
    redisOptions: {
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      connectTimeout: opts.connectTimeoutMs ?? 3000,
      ...(opts.commandTimeoutMs !== undefined ? { commandTimeout: opts.commandTimeoutMs } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(tls ? { tls: {} } : {}),
    },
  };
  const cluster = new Cluster(clusterSeeds(env), options);
  // Errors surface through the commands that fail; without a listener ioredis would log them.
  cluster.on('error', () => undefined);
  cluster.on('node error', () => undefined);
  return cluster;
}

/**
 * Connects (or waits for) a cluster client and refreshes its view of the slots, within `timeoutMs`.
 * Rejects with ioredis' error ("Failed to refresh slots cache", "None of startup nodes is available").
 */
export async function readyCluster(cluster: Cluster, timeoutMs: number): Promise<void> {
  const deadline = new Promise<never>((_, reject) => {
    const t = setTimeout(() => reject(new Error(`the cluster did not answer within ${timeoutMs} ms`)), timeoutMs);
    t.unref();
  });
  const work = async (): Promise<void> => {
    if (cluster.status === 'wait' || cluster.status === 'end' || cluster.status === 'close') {
      await cluster.connect();
      return;
    }
    if (cluster.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const onReady = () => {
          cluster.off('error', onError);
          resolve();
        };
        const onError = (err: Error) => {
          cluster.off('ready', onReady);
          reject(err);
        };
        cluster.once('ready', onReady);
        cluster.once('error', onError);
      });
      return;
    }
    await new Promise<void>((resolve, reject) => cluster.refreshSlotsCache((err) => (err ? reject(err) : resolve())));
  };
  await Promise.race([work(), deadline]);
}
