import type { ConnectionOptions } from 'node:tls';
import type { Cluster, Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import type { CanaryRedis } from '../../core/ports/canary-redis.js';
import { connectRedis, parseInfo } from './redis-node.js';
import { redactedAddress, redisConnectOptions } from './connect-options.js';
import { trackConnectionErrors } from './connection-errors.js';
import { classifyRedisError, RedisSourceError } from './redis-error.js';
import { clusterSeedsText, connectCluster, readyCluster } from './cluster-client.js';
import { clusterFailure } from './tls-probe.js';

// The ioredis side of verify's canary port: the verification itself only sees `CanaryRedis`.

/** PEXPIREAT in the past, or DEL where the ACL refuses PEXPIREAT (an ACL written for DEL keeps working). */
async function removeWithoutDel(expireNow: () => Promise<unknown>, del: () => Promise<unknown>): Promise<void> {
  try {
    await expireNow();
  } catch (err) {
    if (!(err instanceof RedisSourceError && err.kind === 'no_permission')) throw err;
    await del();
  }
}

/**
 * A CanaryRedis over one ioredis client (owned by the caller unless `close` is used). Failures leave
 * as `RedisSourceError`s naming the command, so the verification reports them like the checks do.
 */
export function canaryRedisFrom(client: Redis, address: string): CanaryRedis {
  const lastConnectionError = trackConnectionErrors(client);
  const user = client.options.username ?? 'default';
  const call = async <T>(command: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw classifyRedisError(err, { address, command, user, lastConnectionError: lastConnectionError() });
    }
  };
  return {
    address,
    async setEx(key, value, ttlSeconds) {
      await call('SET', () => client.set(key, value, 'EX', ttlSeconds));
    },
    pttl: async (key) => Number(await call('PTTL', () => client.pttl(key))),
    remove: (key) =>
      removeWithoutDel(
        () => call('PEXPIREAT', () => client.pexpireat(key, 1)),
        () => call('DEL', () => client.del(key)),
      ),
    exists: async (key) => (await call('EXISTS', () => client.exists(key))) > 0,
    async evictedKeys() {
      try {
        const v = parseInfo(await client.info('stats')).evicted_keys;
        return v === undefined ? undefined : Number(v);
      } catch {
        return undefined;
      }
    },
    close: async () => {
      client.disconnect();
    },
  };
}

/**
 * A CanaryRedis over ioredis' Cluster client: the canary is written, read and deleted through the
 * cluster, so each command goes to the master of the canary's slot (following MOVED/ASK). Evictions
 * are summed over the masters, since the canary's master is known only once the key is. Failures leave
 * as `RedisSourceError`s; a cluster that cannot be reached says why (wrong password, not a cluster
 * node, no seed answered) within the connect timeout instead of queueing commands.
 */
export function canaryClusterFrom(
  cluster: Cluster,
  env: EnvironmentConfig,
  user: string,
  tls?: ConnectionOptions,
): CanaryRedis {
  const address = clusterSeedsText(env);
  const ready = async () => {
    if (cluster.status !== 'ready') await readyCluster(cluster, Math.max(env.redis.connectTimeoutMs, 1000));
  };
  const call = async <T>(command: string, run: () => Promise<T>): Promise<T> => {
    try {
      await ready();
      return await run();
    } catch (err) {
      const timeoutMs = Math.max(env.redis.connectTimeoutMs, 1000);
      const typed = await clusterFailure(env, cluster, err, { user, timeoutMs, ...(tls ? { tls } : {}) });
      throw typed.command === undefined ? classifyRedisError(typed, { address, command }) : typed;
    }
  };
  return {
    address: `Redis Cluster ${address}`,
    async setEx(key, value, ttlSeconds) {
      await call('SET', () => cluster.set(key, value, 'EX', ttlSeconds));
    },
    pttl: async (key) => Number(await call('PTTL', () => cluster.pttl(key))),
    remove: (key) =>
      removeWithoutDel(
        () => call('PEXPIREAT', () => cluster.pexpireat(key, 1)),
        () => call('DEL', () => cluster.del(key)),
      ),
    exists: async (key) => (await call('EXISTS', () => cluster.exists(key))) > 0,
    async evictedKeys() {
      try {
        await ready();
        const counts = await Promise.all(
          cluster.nodes('master').map(async (m) => parseInfo(await m.info('stats')).evicted_keys),
        );
        return counts.some((v) => v === undefined) ? undefined : counts.reduce((sum, v) => sum + Number(v), 0);
      } catch {
        return undefined;
      }
    },
    close: async () => {
      cluster.disconnect();
    },
  };
}

/**
 * Opens a write-capable connection to an environment's session store, for the canary only. The
 * password comes from the env var named in `redis.passwordEnv`; a missing one is a UserError before
 * anything connects. Commands fail after `connectTimeoutMs` instead of hanging.
 */
export function openCanaryRedis(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): CanaryRedis {
  const options = redisConnectOptions(env, processEnv);
  if (env.redis.cluster) {
    const cluster = connectCluster(env, { ...options, commandTimeoutMs: Math.max(env.redis.connectTimeoutMs, 2000) });
    return canaryClusterFrom(cluster, env, options.username ?? 'default', options.tls);
  }
  const client = connectRedis({ ...options, commandTimeoutMs: Math.max(env.redis.connectTimeoutMs, 2000) });
  const sentinel = env.redis.sentinel;
  // Through the sentinels the canary goes to whichever node is the master now.
  return canaryRedisFrom(client, sentinel ? `sentinel master ${sentinel.masterName}` : redactedAddress(env.redis.url));
}
