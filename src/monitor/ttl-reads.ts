import type { KeyspaceFeed } from '../core/ports/keyspace-events.js';
import type { LifetimeTracker } from './lifetime-tracker.js';

export interface TtlReadsOptions {
  tracker: LifetimeTracker;
  now: () => number;
  /** How long a TTL-less write may wait for its EXPIRE before it counts `no_ttl`; 0 counts it at once. */
  noTtlGraceMs: number;
  /** The feed while the monitor watches. */
  feed: () => KeyspaceFeed | undefined;
  /** Whether this replica still holds the lease: readings that come back after it was lost are dropped. */
  held: () => boolean;
  /** Whether the monitor still watches (a recheck is scheduled again only then). */
  watching: () => boolean;
  /** Seconds from the first write of a batch to its TTLs being read. */
  onLag: (seconds: number) => void;
  /** Runs background work (failures logged, awaited by `settled`). */
  background: (work: Promise<void>) => void;
}

/**
 * The TTL reads that follow writes: batched (one pipeline per turn of the event loop), and a TTL-less
 * write read again after a grace (apps that SET then EXPIRE), so only one still without a TTL counts `no_ttl`.
 */
export class TtlReads {
  // Writes waiting for their TTL read, with the time of the first one (for the lag).
  private pending = new Set<string>();
  private pendingSince = 0;
  private flushing = false;
  private readonly noTtlRecheck = new Map<string, number>();
  private recheckTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: TtlReadsOptions) {}

  /** A write of a tracked session: its TTL is read in the next batch. */
  written(key: string): void {
    if (!this.pending.size) this.pendingSince = this.o.now();
    this.pending.add(key);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.o.background(this.flush()));
    }
  }

  /** The session ended: a pending recheck has nothing left to read. */
  ended(key: string): void {
    this.noTtlRecheck.delete(key);
  }

  /** Nothing waits to be read. */
  get idle(): boolean {
    return !this.pending.size && !this.flushing;
  }

  /** Forgets every waiting read (the monitor stopped watching). */
  clear(): void {
    this.pending = new Set();
    this.noTtlRecheck.clear();
    clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
  }

  private async flush(): Promise<void> {
    try {
      for (let feed = this.o.feed(); this.pending.size && feed; feed = this.o.feed()) {
        if (!(await this.readBatch(feed))) return;
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Reads the pending batch; false when the lease was lost meanwhile (the readings are dropped). */
  private async readBatch(feed: KeyspaceFeed): Promise<boolean> {
    const { tracker, now, noTtlGraceMs } = this.o;
    const keys = [...this.pending];
    const since = this.pendingSince;
    this.pending = new Set();
    const readAt = now();
    const ttls = await feed.pttl(keys);
    if (!this.o.held()) return false;
    keys.forEach((k, i) => {
      const ttl = ttls[i] ?? -2;
      if (ttl === -1 && noTtlGraceMs > 0) this.noTtlRecheck.set(k, readAt);
      else tracker.ttl(k, ttl, readAt);
    });
    this.o.onLag((now() - since) / 1000);
    if (this.noTtlRecheck.size && !this.recheckTimer) this.scheduleRecheck();
    return true;
  }

  private scheduleRecheck(): void {
    this.recheckTimer = setTimeout(() => this.o.background(this.recheckNoTtl()), this.o.noTtlGraceMs);
  }

  /** TTL-less writes, read again after the grace: still without a TTL counts `no_ttl`. */
  private async recheckNoTtl(): Promise<void> {
    const { now, noTtlGraceMs, tracker } = this.o;
    this.recheckTimer = undefined;
    const due = [...this.noTtlRecheck].filter(([, at]) => now() - at >= noTtlGraceMs);
    for (const [k] of due) this.noTtlRecheck.delete(k);
    const feed = this.o.feed();
    if (due.length && feed) {
      const ttls = await feed.pttl(due.map(([k]) => k));
      if (this.o.held()) due.forEach(([k, at], i) => tracker.ttl(k, ttls[i] ?? -2, at));
    }
    if (this.noTtlRecheck.size && !this.recheckTimer && this.o.watching()) this.scheduleRecheck();
  }
}
