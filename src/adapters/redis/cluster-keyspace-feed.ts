import type { Cluster, Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import type { KeyspaceFeed, KeyspaceHandlers } from '../../core/ports/keyspace-events.js';
import { clusterSeedsText, compareAddresses, connectCluster, readyCluster } from './cluster-client.js';
import { FeedCoverage } from './cluster-feed-coverage.js';
import { ClusterSubscriber } from './cluster-feed-subscriber.js';
import { MigratedDelFilter } from './migrated-del-filter.js';
import { configGetValue } from './replies.js';
import { scanWithTtls, type KeyTtl } from './scan-with-ttls.js';
import { clientAddress, type RedisConnectOptions } from './redis-node.js';

/** How often the masters are looked up again (CLUSTER SLOTS) to follow failovers and resharding. */
export const DEFAULT_TOPOLOGY_REFRESH_MS = 5000;

export interface ClusterFeedOptions extends RedisConnectOptions {
  keyPattern: string;
  /** Default 5 s; a subscriber that drops triggers a refresh at once. */
  topologyRefreshMs?: number;
  now?: () => number;
}

/** `notify-keyspace-events` of one node; undefined when the user may not run CONFIG GET. */
async function notifySettingOf(node: Redis): Promise<string | undefined> {
  try {
    return configGetValue(await node.config('GET', 'notify-keyspace-events')) ?? '';
  } catch {
    return undefined;
  }
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
export class ClusterKeyspaceFeed implements KeyspaceFeed {
  readonly description: string;
  private readonly now: () => number;
  private readonly cluster: Cluster;
  private readonly subs = new Map<string, ClusterSubscriber>();
  private readonly coverage: FeedCoverage;
  private readonly events: MigratedDelFilter;
  private readonly timeoutMs: number;
  private handlers: KeyspaceHandlers | undefined;
  private masters: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly env: Pick<EnvironmentConfig, 'redis'>,
    private readonly opts: ClusterFeedOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.cluster = connectCluster(env, opts);
    this.description = `cluster ${clusterSeedsText(env)}`;
    this.coverage = new FeedCoverage(this.now);
    this.events = new MigratedDelFilter(
      async (key) => (await this.cluster.exists(key)) > 0,
      (key, event) => this.handlers?.onEvent(key, event),
    );
    this.timeoutMs = Math.max(opts.connectTimeoutMs ?? 3000, 1000);
  }

  async subscribe(handlers: KeyspaceHandlers): Promise<void> {
    await readyCluster(this.cluster, this.timeoutMs);
    this.reconcile();
    await this.waitSubscribed(this.timeoutMs);
    // Delivered from here on: a gap before this moment is not one.
    this.handlers = handlers;
    this.coverage.restart();
    this.timer = setInterval(() => void this.refresh(), this.opts.topologyRefreshMs ?? DEFAULT_TOPOLOGY_REFRESH_MS);
    this.timer.unref();
  }

  async notifySetting(): Promise<string | undefined> {
    const [first] = this.cluster.nodes('master');
    return first ? notifySettingOf(first) : undefined;
  }

  async notifySettings(): Promise<{ node: string; setting: string | undefined }[]> {
    const list = this.cluster.nodes('master');
    const out = await Promise.all(
      list.map(async (n) => ({ node: clientAddress(n), setting: await notifySettingOf(n) })),
    );
    return out.sort((a, b) => compareAddresses(a.node, b.node));
  }

  async pttl(keys: readonly string[]): Promise<number[]> {
    return Promise.all(keys.map((k) => this.cluster.pttl(k).then(Number, () => -2)));
  }

  async scan(onBatch: (keys: KeyTtl[]) => void, count = 1000): Promise<void> {
    for (const node of this.cluster.nodes('master'))
      await scanWithTtls(node, this.opts.keyPattern, count, (keys) => this.pttl(keys), onBatch);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.refreshing;
    for (const address of [...this.subs.keys()]) this.closeSubscriber(address);
    this.cluster.disconnect();
  }

  private missing(): string[] {
    return this.masters.filter((m) => !this.subs.get(m)?.ready);
  }

  /** Opens or closes a gap from which masters lack a ready subscriber; `lostAt` is when a drop was seen. */
  private evaluate(lostAt?: number): void {
    if (this.closed || !this.handlers) return;
    this.coverage.update(this.missing(), this.handlers, lostAt);
  }

  /** Subscribes to the masters of the current slot map and lets go of nodes that are no longer masters. */
  private reconcile(): void {
    const current = new Map(this.cluster.nodes('master').map((n) => [clientAddress(n), n]));
    for (const address of [...this.subs.keys()]) if (!current.has(address)) this.closeSubscriber(address);
    for (const [address, node] of current)
      if (!this.subs.has(address)) this.openSubscriber(address, String(node.options.host), Number(node.options.port));
    this.masters = [...current.keys()].sort();
    this.evaluate();
  }

  private openSubscriber(address: string, host: string, port: number): void {
    const { username, password, connectTimeoutMs, tls } = this.opts;
    const subscriber = new ClusterSubscriber(
      {
        host,
        port,
        // A cluster has database 0 only (see keyspaceChannel in keyspace-feed.ts).
        channel: `__keyspace@0__:${this.opts.keyPattern}`,
        ...(username !== undefined ? { username } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
        ...(tls !== undefined ? { tls } : {}),
      },
      {
        message: (key, event) => this.events.deliver(key, event),
        subscribed: () => this.evaluate(),
        dropped: () => {
          this.evaluate(this.now());
          // A master that went away is usually being replaced: look for its successor now.
          void this.refresh();
        },
      },
    );
    this.subs.set(address, subscriber);
  }

  private closeSubscriber(address: string): void {
    const subscriber = this.subs.get(address);
    if (!subscriber) return;
    this.subs.delete(address);
    subscriber.close();
  }

  private refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.refreshing ??= new Promise<void>((resolve) => {
      this.cluster.refreshSlotsCache(() => {
        if (!this.closed) this.reconcile();
        resolve();
      });
    }).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async waitSubscribed(timeoutMs: number): Promise<void> {
    const deadline = this.now() + timeoutMs;
    while (this.missing().length) {
      if (this.now() > deadline) {
        const missing = this.missing().join(', ');
        throw new Error(
          `could not subscribe to the keyspace notifications of master(s) ${missing} within ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** The cluster feed of an environment's Redis (see `ClusterKeyspaceFeed`). */
export function openClusterKeyspaceFeed(env: Pick<EnvironmentConfig, 'redis'>, opts: ClusterFeedOptions): KeyspaceFeed {
  return new ClusterKeyspaceFeed(env, opts);
}
