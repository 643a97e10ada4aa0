import { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import { openClusterKeyspaceFeed } from './cluster-keyspace-feed.js';
import { redisConnectOptions } from './connect-options.js';
import { sentinelClientOptions } from './sentinel-options.js';
import { connectedAddress, watchSentinelSwitch, type SentinelSwitchWatch } from './sentinel-switch-watch.js';
import { configGetValue } from './replies.js';
import { scanWithTtls, type KeyTtl } from './scan-with-ttls.js';
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
export class NodeKeyspaceFeed implements KeyspaceFeed {
  readonly description: string;
  private readonly sub: Redis;
  private readonly cmd: Redis;
  private readonly channel: string;
  private readonly prefixLength: number;
  private switchWatch: SentinelSwitchWatch | undefined;

  constructor(private readonly opts: RedisConnectOptions & { keyPattern: string }) {
    const db = databaseOf(opts.url);
    const base = {
      connectTimeout: opts.connectTimeoutMs,
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      retryStrategy: (times: number) => Math.min(50 * times, 2000),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
      ...sentinelClientOptions(opts.sentinel, opts.tls),
    };
    this.sub = new Redis(opts.url, base);
    this.cmd = new Redis(opts.url, base);
    // Connection errors are reported as a drop; without listeners ioredis would print each one.
    this.sub.on('error', () => undefined);
    this.cmd.on('error', () => undefined);
    this.channel = keyspaceChannel(db, opts.keyPattern);
    this.prefixLength = `__keyspace@${db}__:`.length;
    const u = new URL(opts.url);
    const where = opts.sentinel ? `sentinel master ${opts.sentinel.name}` : `${u.hostname}:${u.port || '6379'}`;
    this.description = `${where}/${db}`;
  }

  async subscribe(handlers: KeyspaceHandlers): Promise<void> {
    const { sub, channel } = this;
    sub.on('pmessage', (_pattern: string, ch: string, event: string) =>
      handlers.onEvent(ch.slice(this.prefixLength), event),
    );
    await sub.connect();
    await this.cmd.connect();
    await sub.psubscribe(channel);
    this.followFailovers();
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
  }

  async notifySetting(): Promise<string | undefined> {
    try {
      return configGetValue(await this.cmd.config('GET', 'notify-keyspace-events')) ?? '';
    } catch {
      return undefined;
    }
  }

  async pttl(keys: readonly string[]): Promise<number[]> {
    if (!keys.length) return [];
    const p = this.cmd.pipeline();
    for (const k of keys) p.pttl(k);
    const replies = (await p.exec()) ?? [];
    return replies.map(([err, v]) => (err ? -2 : Number(v)));
  }

  async scan(onBatch: (keys: KeyTtl[]) => void, count = 1000): Promise<void> {
    await scanWithTtls(this.cmd, this.opts.keyPattern, count, (keys) => this.pttl(keys), onBatch);
  }

  /** Behind Sentinel: a connection not on the new master yet reconnects (through the sentinels) at once. */
  private followFailovers(): void {
    const { sentinel } = this.opts;
    if (!sentinel) return;
    this.switchWatch = watchSentinelSwitch(sentinel, (master) => {
      for (const c of [this.sub, this.cmd]) if (connectedAddress(c) !== master) c.disconnect(true);
    });
  }

  async close(): Promise<void> {
    this.switchWatch?.close();
    this.sub.removeAllListeners('close');
    await Promise.allSettled([this.sub.quit(), this.cmd.quit()]);
    this.sub.disconnect();
    this.cmd.disconnect();
  }
}

/** The feed of a standalone Redis (see `NodeKeyspaceFeed`). */
export function openKeyspaceFeed(opts: RedisConnectOptions & { keyPattern: string }): KeyspaceFeed {
  return new NodeKeyspaceFeed(opts);
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
