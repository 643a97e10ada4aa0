import { Redis, type Cluster } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import type { GapInfo, KeyspaceFeed, KeyspaceHandlers } from '../../core/ports/keyspace-events.js';
import { clusterSeedsText, compareAddresses, connectCluster, readyCluster } from './cluster-client.js';
import { scanWithTtls } from './scan-with-ttls.js';
import { clientAddress, type RedisConnectOptions } from './redis-node.js';

/** How often the masters are looked up again (CLUSTER SLOTS) to follow failovers and resharding. */
export const DEFAULT_TOPOLOGY_REFRESH_MS = 5000;

export interface ClusterFeedOptions extends RedisConnectOptions {
  keyPattern: string;
  /** Default 5 s; a subscriber that drops triggers a refresh at once. */
  topologyRefreshMs?: number;
  now?: () => number;
}

interface Subscriber {
  conn: Redis;
  /** PSUBSCRIBE answered: notifications of this master flow. */
  ready: boolean;
  /** Closed on purpose (no longer a master, or the feed closes). */
  closing: boolean;
}

/**
 * A `KeyspaceFeed` over a Redis Cluster. Keyspace notifications are per node, so it holds one subscriber
 * connection per master; the masters are looked up again every `topologyRefreshMs` (and at once when a
 * subscriber drops), so after a failover or a resharding it subscribes to the new masters and drops the
 * old ones. While some master has no subscriber, its notifications are lost: the feed reports that as
 * one gap (`onConnectionLost` when coverage breaks, `onReconnected` with every node concerned when each
 * master has a subscriber again). A key moved by a resharding (MIGRATE: `del` on the source) is not
 * reported as deleted. PTTL, SCAN and CONFIG GET go through ioredis' Cluster client.
 */
export function openClusterKeyspaceFeed(env: Pick<EnvironmentConfig, 'redis'>, opts: ClusterFeedOptions): KeyspaceFeed {
  const now = opts.now ?? Date.now;
  const refreshMs = opts.topologyRefreshMs ?? DEFAULT_TOPOLOGY_REFRESH_MS;
  const cluster: Cluster = connectCluster(env, opts);
  // A cluster has database 0 only (see keyspaceChannel in keyspace-feed.ts).
  const channel = `__keyspace@0__:${opts.keyPattern}`;
  const prefixLength = '__keyspace@0__:'.length;
  const tls = env.redis.url.startsWith('rediss://');
  const subs = new Map<string, Subscriber>();
  let handlers: KeyspaceHandlers | undefined;
  let masters: string[] = [];
  /** The last moment every master was known to have a subscriber. */
  let coveredAt = now();
  let gap: { since: number; nodes: Set<string> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let closed = false;

  function openSubscriber(address: string, host: string, port: number): Subscriber {
    const conn = new Redis({
      host,
      port,
      lazyConnect: true,
      autoResubscribe: false,
      enableReadyCheck: false,
      maxRetriesPerRequest: 2,
      connectTimeout: opts.connectTimeoutMs ?? 3000,
      retryStrategy: (times: number) => Math.min(50 * times, 2000),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(tls ? { tls: {} } : {}),
    });
    const sub: Subscriber = { conn, ready: false, closing: false };
    conn.on('error', () => undefined);
    conn.on('pmessage', (_pattern: string, ch: string, event: string) => deliver(ch.slice(prefixLength), event));
    // Subscribed on every (re)connect, by us: the reply marks the moment this master's notifications flow.
    conn.on('ready', () => {
      conn.psubscribe(channel).then(
        () => {
          if (sub.closing) return;
          sub.ready = true;
          evaluate();
        },
        () => undefined,
      );
    });
    conn.on('close', () => {
      if (sub.closing || !sub.ready) return;
      sub.ready = false;
      evaluate(now());
      // A master that went away is usually being replaced: look for its successor now.
      void refresh();
    });
    subs.set(address, sub);
    conn.connect().catch(() => undefined);
    return sub;
  }

  /** Events of a key whose `del` is being checked, held back so the key's events stay in order. */
  const held = new Map<string, string[]>();
  const WRITES = new Set(['set', 'setex', 'expire', 'persist', 'restore']);

  /**
   * A resharding moves keys with MIGRATE, which the source master announces as `del` (and the target as
   * `restore`): a session moved is not a session deleted. So a `del` is passed on only when the key is
   * gone from the cluster (EXISTS, following the redirect to its new node), or when a write of the key
   * came in meanwhile (deleted, then written again).
   */
  function deliver(key: string, event: string): void {
    const later = held.get(key);
    if (later) {
      later.push(event);
      return;
    }
    if (event !== 'del') {
      handlers?.onEvent(key, event);
      return;
    }
    held.set(key, []);
    cluster.exists(key).then(
      (n) => settle(key, n > 0),
      () => settle(key, false),
    );
  }

  function settle(key: string, exists: boolean): void {
    const later = held.get(key) ?? [];
    held.delete(key);
    if (!exists || later.some((e) => WRITES.has(e) && e !== 'restore')) handlers?.onEvent(key, 'del');
    for (const e of later) deliver(key, e);
  }

  function closeSubscriber(address: string): void {
    const sub = subs.get(address);
    if (!sub) return;
    sub.closing = true;
    subs.delete(address);
    sub.conn.disconnect();
  }

  /** Opens or closes a gap from which masters lack a ready subscriber; `lostAt` is when a drop was seen. */
  function evaluate(lostAt?: number): void {
    if (closed || !handlers) return;
    const missing = masters.filter((m) => !subs.get(m)?.ready);
    if (missing.length) {
      if (!gap) {
        gap = { since: lostAt ?? coveredAt, nodes: new Set() };
        missing.forEach((m) => gap?.nodes.add(m));
        handlers.onConnectionLost({ nodes: missing, since: gap.since });
      } else missing.forEach((m) => gap?.nodes.add(m));
      return;
    }
    coveredAt = now();
    if (gap) {
      const info: GapInfo = { nodes: [...gap.nodes], since: gap.since };
      gap = undefined;
      handlers.onReconnected(info);
    }
  }

  /** Subscribes to the masters of the current slot map and lets go of nodes that are no longer masters. */
  function reconcile(): void {
    const list = cluster.nodes('master');
    const current = new Map(list.map((n) => [clientAddress(n), n]));
    for (const address of [...subs.keys()]) if (!current.has(address)) closeSubscriber(address);
    for (const [address, node] of current)
      if (!subs.has(address)) openSubscriber(address, String(node.options.host), Number(node.options.port));
    masters = [...current.keys()].sort();
    evaluate();
  }

  function refresh(): Promise<void> {
    if (closed) return Promise.resolve();
    refreshing ??= new Promise<void>((resolve) => {
      cluster.refreshSlotsCache(() => {
        if (!closed) reconcile();
        resolve();
      });
    }).finally(() => (refreshing = undefined));
    return refreshing;
  }

  async function waitSubscribed(timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    while (masters.some((m) => !subs.get(m)?.ready)) {
      if (now() > deadline) {
        const missing = masters.filter((m) => !subs.get(m)?.ready);
        throw new Error(
          `could not subscribe to the keyspace notifications of master(s) ${missing.join(', ')} within ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function pttl(keys: readonly string[]): Promise<number[]> {
    return Promise.all(keys.map((k) => cluster.pttl(k).then(Number, () => -2)));
  }

  async function settingOf(node: Redis): Promise<string | undefined> {
    try {
      const reply = (await node.config('GET', 'notify-keyspace-events')) as string[];
      return reply[1] ?? '';
    } catch {
      return undefined;
    }
  }

  const timeoutMs = Math.max(opts.connectTimeoutMs ?? 3000, 1000);

  return {
    description: `cluster ${clusterSeedsText(env)}`,
    async subscribe(h) {
      await readyCluster(cluster, timeoutMs);
      reconcile();
      await waitSubscribed(timeoutMs);
      // Delivered from here on: a gap before this moment is not one.
      handlers = h;
      coveredAt = now();
      timer = setInterval(() => void refresh(), refreshMs);
      timer.unref();
    },
    async notifySetting() {
      const [first] = cluster.nodes('master');
      return first ? settingOf(first) : undefined;
    },
    async notifySettings() {
      const list = cluster.nodes('master');
      const out = await Promise.all(list.map(async (n) => ({ node: clientAddress(n), setting: await settingOf(n) })));
      return out.sort((a, b) => compareAddresses(a.node, b.node));
    },
    pttl,
    async scan(onBatch, count = 1000) {
      for (const node of cluster.nodes('master')) await scanWithTtls(node, opts.keyPattern, count, pttl, onBatch);
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await refreshing;
      for (const address of [...subs.keys()]) closeSubscriber(address);
      cluster.disconnect();
    },
  };
}
