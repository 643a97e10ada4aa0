import type { KeyName, RedisNodePort } from '../../core/ports/session-store.js';
import type { AuditPlan } from './audit-plan.js';
import type { TtlStats } from './ttl-stats.js';

/** Key names kept for evidence of each kind. */
export const MAX_SAMPLE_KEYS = 5;

/** Where one node's fast pass counts: the sample's statistics and its evidence. */
export interface AuditTally {
  stats: TtlStats;
  noExpiryKeys: string[];
  above: { count: number; maxSeconds: number; keys: string[] };
  /** A PTTL above this (ms) is above the configured TTL. */
  aboveMs: number;
  mask: (key: KeyName) => string;
  onKeys: (n: number) => void;
}

/** How one node was audited, for the report: the path, and why the script was not used. */
export interface NodeAuditPath {
  address: string;
  /** script: one script per batch inside Redis; lean: SCAN + PTTL raw pipeline; pipeline: the node's scan + pttl (no fast pass). */
  path: 'script' | 'lean' | 'pipeline';
  batches: number;
  /** Script path: 2 when two cursors shared the node's keyspace. */
  cursors?: number;
  fallbackReason?: string;
}

/**
 * Counts every key of one node into the tally with the node's audit pass (`auditKeyspace`); undefined
 * when the node has none (the caller streams it instead). Every key is counted once: the script's
 * batches merge into the statistics, the lean path's keys are added one by one.
 */
export async function auditNode(
  node: RedisNodePort,
  pattern: string,
  plan: AuditPlan,
  t: AuditTally,
  signal: AbortSignal,
  pause: (() => Promise<void>) | undefined,
): Promise<NodeAuditPath | undefined> {
  if (!node.auditKeyspace) return undefined;
  const r = await node.auditKeyspace({
    pattern,
    count: plan.scanCount,
    ...(pause ? { pause } : {}),
    layout: t.stats.layout(t.aboveMs),
    path: plan.script ? 'auto' : 'lean',
    ...(plan.mode === 'fast' ? { twoCursors: true } : {}),
    signal,
    wantKeys: () => ({
      noExpiry: MAX_SAMPLE_KEYS - t.noExpiryKeys.length,
      above: MAX_SAMPLE_KEYS - t.above.keys.length,
    }),
    onKey: (key, p) => {
      t.stats.add(p);
      if (p === -1 && t.noExpiryKeys.length < MAX_SAMPLE_KEYS) t.noExpiryKeys.push(t.mask(key));
      if (p > t.aboveMs) {
        t.above.count++;
        if (p / 1000 > t.above.maxSeconds) t.above.maxSeconds = p / 1000;
        if (t.above.keys.length < MAX_SAMPLE_KEYS) t.above.keys.push(t.mask(key));
      }
    },
    onCounts: (c) => {
      t.stats.addCounts(c);
      for (const k of c.noExpiryKeys) if (t.noExpiryKeys.length < MAX_SAMPLE_KEYS) t.noExpiryKeys.push(t.mask(k));
      t.above.count += c.above.count;
      if (c.above.count && c.above.maxMs / 1000 > t.above.maxSeconds) t.above.maxSeconds = c.above.maxMs / 1000;
      for (const k of c.aboveKeys) if (t.above.keys.length < MAX_SAMPLE_KEYS) t.above.keys.push(t.mask(k));
    },
    onBatch: t.onKeys,
  });
  return {
    address: node.address,
    path: r.path,
    batches: r.batches,
    ...(r.cursors ? { cursors: r.cursors } : {}),
    ...(r.fallbackReason ? { fallbackReason: r.fallbackReason } : {}),
  };
}
