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
  /** PTTL of each key in one round trip: -1 no TTL, -2 gone. */
  pttl(keys: readonly string[]): Promise<number[]>;
  /** Walks every key matching the pattern (SCAN, pipelined PTTL), `count` at a time. */
  scan(onBatch: (keys: { key: string; pttlMs: number }[]) => void, count?: number): Promise<void>;
  /** Unsubscribes and closes both connections. */
  close(): Promise<void>;
}

export interface KeyspaceHandlers {
  /** One notification: the key and the event name (`set`, `expire`, `expired`, `evicted`, `del`, ...). */
  onEvent(key: string, event: string): void;
  /** The subscription dropped; notifications are being lost until `onReconnected`. */
  onConnectionLost(): void;
  /** Subscribed again after a drop. */
  onReconnected(): void;
}
