import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { readyCheckFor, type RedisConnectOptions } from './redis-node.js';

/** What a subscriber tells its feed. */
export interface SubscriberEvents {
  /** One keyspace notification: the key (the channel without its prefix) and the event. */
  message(key: string, event: string): void;
  /** PSUBSCRIBE was answered: this master's notifications flow from now on. */
  subscribed(): void;
  /** A subscribed connection dropped (not one closed on purpose). */
  dropped(): void;
}

export interface SubscriberOptions extends Pick<RedisConnectOptions, 'username' | 'password' | 'connectTimeoutMs'> {
  host: string;
  port: number;
  /** The cluster's TLS options (undefined: plain TCP). */
  tls?: ConnectionOptions;
  /** The keyspace channel pattern, `__keyspace@0__:<key pattern>`. */
  channel: string;
}

/** The prefix of every keyspace channel of database 0, the only database of a cluster. */
const CHANNEL_PREFIX_LENGTH = '__keyspace@0__:'.length;

/**
 * One master's subscriber connection of a cluster feed. It subscribes on every (re)connect itself
 * (`autoResubscribe` off), so the reply to its own PSUBSCRIBE marks when notifications flow again.
 */
export class ClusterSubscriber {
  /** PSUBSCRIBE answered: notifications of this master flow. */
  ready = false;
  /** Closed on purpose (no longer a master, or the feed closes). */
  private closing = false;
  private readonly conn: Redis;

  constructor(
    opts: SubscriberOptions,
    private readonly events: SubscriberEvents,
  ) {
    this.conn = new Redis({
      host: opts.host,
      port: opts.port,
      lazyConnect: true,
      autoResubscribe: false,
      enableReadyCheck: readyCheckFor(opts.tls),
      maxRetriesPerRequest: 2,
      connectTimeout: opts.connectTimeoutMs ?? 3000,
      retryStrategy: (times: number) => Math.min(50 * times, 2000),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    });
    this.conn.on('error', () => undefined);
    this.conn.on('pmessage', (_pattern: string, channel: string, event: string) =>
      events.message(channel.slice(CHANNEL_PREFIX_LENGTH), event),
    );
    this.conn.on('ready', () => this.subscribe(opts.channel));
    this.conn.on('close', () => this.closed());
    this.conn.connect().catch(() => undefined);
  }

  close(): void {
    this.closing = true;
    this.conn.disconnect();
  }

  private subscribe(channel: string): void {
    this.conn.psubscribe(channel).then(
      () => {
        if (this.closing) return;
        this.ready = true;
        this.events.subscribed();
      },
      () => undefined,
    );
  }

  private closed(): void {
    if (this.closing || !this.ready) return;
    this.ready = false;
    this.events.dropped();
  }
}
