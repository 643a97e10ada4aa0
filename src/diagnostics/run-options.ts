import type { AuditFlags } from './sampling/audit-plan.js';

/** Knobs that a caller (CLI flag, slash command) can turn for one run. */
export interface RunOptions {
  /** Keys the diagnosis's keyspace sample reads, split evenly across the nodes (default 1000). */
  sampleSize?: number;
  /** Stream every key through the keyspace sample's statistics instead of sampling. */
  full?: boolean;
  /**
   * How a full audit reads the keys: gentle unless `fast` is asked for; `scanCount` and `pauseMs`
   * override the environment's `redis.audit` and `defaults.audit`.
   */
  audit?: AuditFlags;
  /** Window over which eviction rates are measured, in ms (default 1000). */
  rateWindowMs?: number;
  /** Called during long scans with keys seen so far (for progress bars). */
  onProgress?: (scanned: number, total: number | undefined) => void;
  /** Clock offsets above this, in ms, are `clock.skew` (default from config `defaults.clockSkewThresholdMs`). */
  clockSkewThresholdMs?: number;
  /** Lines of each app pod's log searched for session deletions (default from config `defaults.logTailLines`). */
  logTailLines?: number;
}
