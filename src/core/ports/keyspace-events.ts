/**
 * A live feed of keyspace notifications for one key pattern of one Redis database, plus the few reads
 * the lifetime monitor needs (PTTL of written keys, a SCAN to rebuild after a gap, the notification
 * setting). Notifications are fire-and-forget: while the connection is down they are lost, which the
 * feed reports with `onConnectionLost` / `onReconnected`.
 */
export interface KeyspaceFeed {
  /** `host:port/db`, never a password. */
  readonly description: string;
  /** Subscribes (PSUBSCRIBE `__keyspace@<db>__:<pattern>`) and delivers every notification in order. */
  subscribe(handlers: KeyspaceHandlers): Promise<void>;
  /** `notify-keyspace-events` as configured; `undefined` when the user may not run CONFIG GET. */
  notifySetting(): Promise<string | undefined>;
  /**
   * The setting on each node a feed of several nodes subscribes to (a Redis Cluster's masters: the
   * setting is per node). Absent on a feed of one node.
   */
  notifySettings?(): Promise<{ node: string; setting: string | undefined }[]>;
  /** PTTL of each key in one round trip: -1 no TTL, -2 gone. */
  pttl(keys: readonly string[]): Promise<number[]>;
  /** Walks every key matching the pattern (SCAN, pipelined PTTL), `count` at a time. */
  scan(onBatch: (keys: { key: string; pttlMs: number }[]) => void, count?: number): Promise<void>;
  /** Unsubscribes and closes both connections. */
  close(): Promise<void>;
}

/**
 * Which nodes a gap concerns, on a feed of several nodes. `since` backdates the gap's start when the feed
 * learns of it late: after a failover seen at a topology refresh, the gap began no later than the last
 * refresh that found every master subscribed.
 */
export interface GapInfo {
  nodes: string[];
  since?: number;
}

export interface KeyspaceHandlers {
  /** One notification: the key and the event name (`set`, `expire`, `expired`, `evicted`, `del`, ...). */
  onEvent(key: string, event: string): void;
  /** The subscription dropped (on a cluster: some master has no subscriber); notifications are being lost until `onReconnected`. */
  onConnectionLost(info?: GapInfo): void;
  /** Subscribed again after a drop (on a cluster: every master has a subscriber again); `info` names every node of the gap. */
  onReconnected(info?: GapInfo): void;
}
