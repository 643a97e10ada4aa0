import { Cluster, type ClusterOptions, type NatMap } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import { errorCode } from '../../core/error-fields.js';
import type { RedisConnectOptions } from './redis-node.js';
import { MAX_RECONNECT_DELAY_MS, readyCheckFor } from './redis-node.js';
import { classifyRedisError, RedisSourceError, replyPrefix } from './redis-error.js';

/** The last error a node of the cluster client met, and which node (`host:port`). */
interface NodeFailure {
  err: Error;
  address: string;
  /** The last socket error (with an errno), which ioredis' "Connection is closed" hides. */
  socketError?: Error;
}

const lastNodeFailures = new WeakMap<Cluster, NodeFailure>();

/** `host:port` → the two parts (IPv6 hosts in brackets). */
export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(i + 1)) };
}

/** Orders `host:port` addresses as a person reads them (port 7002 before 7010), so node lists are stable. */
export function compareAddresses(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
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
      enableReadyCheck: readyCheckFor(opts.tls),
      maxRetriesPerRequest: 0,
      connectTimeout: opts.connectTimeoutMs ?? 3000,
      ...(opts.commandTimeoutMs !== undefined ? { commandTimeout: opts.commandTimeoutMs } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    },
  };
  const cluster = new Cluster(clusterSeeds(env), options);
  // Errors surface through the commands that fail; without a listener ioredis would log them.
  cluster.on('error', () => undefined);
  // ioredis ends a failed start with "None of startup nodes is available"; the reason (a refused
  // connection, WRONGPASS, a node without cluster support) is only in these events: keep the last.
  cluster.on('node error', (err: Error, address: string) => {
    const socketError = errorCode(err) !== undefined ? err : lastNodeFailures.get(cluster)?.socketError;
    lastNodeFailures.set(cluster, { err, address, ...(socketError ? { socketError } : {}) });
  });
  cluster.on('ready', () => lastNodeFailures.delete(cluster));
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
  // A node that answers with an error reply (WRONGPASS, NOAUTH, no cluster support, NOPERM) answers the
  // same on every retry: fail at once instead of retrying until the deadline.
  let onNodeError: ((err: Error) => void) | undefined;
  const refused = new Promise<never>((_, reject) => {
    onNodeError = (err: Error) => {
      if (replyPrefix(err) !== undefined) reject(err);
    };
    cluster.on('node error', onNodeError);
  });
  refused.catch(() => undefined);
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
  try {
    await Promise.race([work(), deadline, refused]);
  } finally {
    if (onNodeError) cluster.off('node error', onNodeError);
  }
}

/**
 * Why a cluster could not be used, as a typed error whose message a person can act on: the reason a
 * node gave (wrong password, not a cluster node, ACL), or that no seed answered. `err` is what
 * `readyCluster` or a command rejected with; the last node error of the client fills in the reason
 * that ioredis' own "None of startup nodes is available" leaves out.
 */
export function clusterError(
  env: Pick<EnvironmentConfig, 'redis'>,
  cluster: Cluster,
  err: unknown,
  user?: string,
): RedisSourceError {
  if (err instanceof RedisSourceError) return err;
  const seeds = clusterSeedsText(env);
  const last = lastNodeFailures.get(cluster);
  const reply =
    err instanceof Error && replyPrefix(err) !== undefined
      ? { err, address: seeds }
      : last && replyPrefix(last.err) !== undefined
        ? last
        : undefined;
  const who = user !== undefined ? { user } : {};
  if (reply) {
    if (/cluster support disabled/i.test(reply.err.message)) {
      return new RedisSourceError(
        `Redis at ${reply.address} is not a Redis Cluster node (cluster support disabled), but redis.cluster is ` +
          'true for this environment: remove redis.cluster (or set it to false) to use it as a standalone Redis, ' +
          'or point redis.url at a node of the cluster.',
        { kind: 'other', address: reply.address, command: 'CLUSTER SLOTS', code: 'ERR', ...who },
      );
    }
    return classifyRedisError(reply.err, { address: reply.address, command: 'CLUSTER SLOTS', ...who });
  }
  const text = err instanceof Error ? err.message : String(err);
  if (/None of startup nodes|refresh slots cache|did not answer within|Cluster is disconnected/i.test(text)) {
    const lastError = last
      ? classifyRedisError(last.err, {
          address: last.address,
          ...(last.socketError ? { lastConnectionError: last.socketError } : {}),
        })
      : undefined;
    const why = lastError ? ` (last: ${lastError.message})` : '';
    return new RedisSourceError(
      `None of the Redis Cluster seed nodes (${seeds}) answered${why}: check redis.url and redis.nodes, and that ` +
        'the bot can reach them (redis.natMap maps addresses the nodes announce to ones the bot can reach).',
      {
        // A handshake that fails names the certificate problem (redis.tls), not an unreachable cluster.
        kind: lastError?.kind === 'tls' ? 'tls' : 'unreachable',
        address: seeds,
        ...(lastError?.code !== undefined ? { code: lastError.code } : {}),
        ...who,
      },
    );
  }
  return classifyRedisError(err, { address: seeds, ...who, ...(last ? { lastConnectionError: last.err } : {}) });
}
