import { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import { openClusterKeyspaceFeed } from './cluster-keyspace-feed.js';
import { redisConnectOptions } from './connect-options.js';
import { scanWithTtls } from './scan-with-ttls.js';
import type { KeyspaceFeed, KeyspaceHandlers } from '../../core/ports/keyspace-events.js';
import type { RedisConnectOptions } from './redis-node.js';

/** The database number of a redis:// URL (`/3` -> 3; none -> 0). */
export function databaseOf(url: string): number {
  try {
    const n = Number(new URL(url).pathname.replace(/^\//, '') || '0');
    return Number.isInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * The keyspace channel pattern of a key pattern: `session:*` in db 0 -> `__keyspace@0__:session:*`.
 * Keyspace channels (not keyevent ones) let Redis filter by key, so only session keys are sent to us and
 * an ACL can grant exactly this channel (`&__keyspace@*__:session:*`).
 */
export function keyspaceChannel(db: number, keyPattern: string): string {
  return `__keyspace@${db}__:${keyPattern}`;
}

/**
 * A `KeyspaceFeed` over two ioredis connections: one in subscriber mode, one for PTTL, SCAN and CONFIG
 * GET. ioredis reconnects and re-subscribes by itself; a drop and the resubscription are reported.
 */
export function openKeyspaceFeed(opts: RedisConnectOptions & { keyPattern: string }): KeyspaceFeed {
  const db = databaseOf(opts.url);
  const base = {
    connectTimeout: opts.connectTimeoutMs,
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    retryStrategy: (times: number) => Math.min(50 * times, 2000),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ...(opts.username !== undefined ? { username: opts.username } : {}),
  };
  const sub = new Redis(opts.url, base);
  const cmd = new Redis(opts.url, base);
  // Connection errors are reported as a drop; without listeners ioredis would print each one.
  sub.on('error', () => undefined);
  cmd.on('error', () => undefined);
  const channel = keyspaceChannel(db, opts.keyPattern);
  const prefixLength = `__keyspace@${db}__:`.length;
  const u = new URL(opts.url);
  const description = `${u.hostname}:${u.port || '6379'}/${db}`;

  async function pttl(keys: readonly string[]): Promise<number[]> {
    if (!keys.length) return [];
    const p = cmd.pipeline();
    for (const k of keys) p.pttl(k);
    const replies = (await p.exec()) ?? [];
    return replies.map(([err, v]) => (err ? -2 : Number(v)));
  }

  return {
    description,
    async subscribe(handlers: KeyspaceHandlers) {
      sub.on('pmessage', (_pattern: string, ch: string, event: string) =>
        handlers.onEvent(ch.slice(prefixLength), event),
      );
      await sub.connect();
      await cmd.connect();
      await sub.psubscribe(channel);
      let lost = false;
      sub.on('close', () => {
        if (lost) return;
        lost = true;
        handlers.onConnectionLost();
      });
      // ioredis re-sends PSUBSCRIBE on 'ready' without telling when it is done; the reply to ours (the same
      // pattern again, which Redis keeps once) marks the moment notifications flow again.
      sub.on('ready', () => {
        if (!lost) return;
        sub.psubscribe(channel).then(
          () => {
            lost = false;
            handlers.onReconnected();
          },
          () => undefined,
        );
      });
    },
    async notifySetting() {
      try {
        const reply = (await cmd.config('GET', 'notify-keyspace-events')) as string[];
        return reply[1] ?? '';
      } catch {
        return undefined;
      }
    },
    pttl,
    async scan(onBatch, count = 1000) {
      await scanWithTtls(cmd, opts.keyPattern, count, pttl, onBatch);
    },
    async close() {
      sub.removeAllListeners('close');
      await Promise.allSettled([sub.quit(), cmd.quit()]);
      sub.disconnect();
      cmd.disconnect();
    },
  };
}

/**
 * The feed opener the monitor takes: an environment's Redis, with the credentials its config names; on a
 * Redis Cluster one subscriber per master, following failovers and resharding every
 * `monitor.topologyRefreshSeconds` (or `opts.topologyRefreshMs`, which tests set).
 */
export function keyspaceFeedOpener(processEnv: NodeJS.ProcessEnv, opts: { topologyRefreshMs?: number } = {}) {
  return (env: EnvironmentConfig): KeyspaceFeed => {
    const connect = { ...redisConnectOptions(env, processEnv), keyPattern: env.redis.keyPattern };
    const topologyRefreshMs = opts.topologyRefreshMs ?? env.monitor.topologyRefreshSeconds * 1000;
    return env.redis.cluster
      ? openClusterKeyspaceFeed(env, { ...connect, topologyRefreshMs })
      : openKeyspaceFeed(connect);
  };
}
