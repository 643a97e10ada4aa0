import { z } from 'zod';

/**
 * `environments.<name>.monitor`: the session lifetime monitor (keyspace notifications ->
 * `session_actual_lifetime_seconds`, `session_ttl_violations_total`). On unless `enabled: false`.
 */
export const monitorSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Sessions tracked one by one; beyond this many, only a deterministic sample of keys (by hash). */
    maxTracked: z.number().int().positive().default(200_000),
    /** The share of keys tracked once `maxTracked` is reached (exported as `session_monitor_sample_rate`). */
    sampleRate: z.number().gt(0).max(1).default(0.1),
    /** How long one replica's claim on watching this environment lasts without renewal; another takes over after it. */
    leaseSeconds: z.number().min(1).max(300).default(10),
    /**
     * Redis Cluster: how often the monitor looks up the masters again (a failover or a resharding moves
     * them); a master found without a subscriber meanwhile is a gap. It also looks at once when a
     * subscriber drops.
     */
    topologyRefreshSeconds: z.number().min(0.1).max(300).default(5),
  })
  .strict();

export type MonitorConfig = z.infer<typeof monitorSchema>;
