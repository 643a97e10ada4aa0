import type { GapInfo, KeyspaceHandlers } from '../../core/ports/keyspace-events.js';

/**
 * Whether every master of a cluster feed has a ready subscriber, told to the handlers as gaps: one
 * `onConnectionLost` when coverage breaks (naming the masters missing then), one `onReconnected` when
 * every master is covered again (naming every master the gap concerned).
 */
export class FeedCoverage {
  /** The last moment every master was known to have a subscriber. */
  private coveredAt: number;
  private gap: { since: number; nodes: Set<string> } | undefined;

  constructor(private readonly now: () => number) {
    this.coveredAt = now();
  }

  /** Coverage holds from now on: a gap before this moment (the subscription itself) is not one. */
  restart(): void {
    this.coveredAt = this.now();
  }

  /**
   * Opens or extends a gap while `missing` is not empty, or closes it. `lostAt` is when a drop was seen;
   * without it a new gap starts at the last moment coverage was known (a failover seen at a refresh).
   */
  update(missing: readonly string[], handlers: KeyspaceHandlers, lostAt?: number): void {
    if (missing.length) {
      if (this.gap) {
        for (const m of missing) this.gap.nodes.add(m);
        return;
      }
      this.gap = { since: lostAt ?? this.coveredAt, nodes: new Set(missing) };
      handlers.onConnectionLost({ nodes: [...missing], since: this.gap.since });
      return;
    }
    this.coveredAt = this.now();
    if (!this.gap) return;
    const info: GapInfo = { nodes: [...this.gap.nodes], since: this.gap.since };
    this.gap = undefined;
    handlers.onReconnected(info);
  }
}
