import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `deletion-counters` (runbook Scenario 4, from what Redis itself counts). */

export const deletionCommands = findingSpec({
  id: 'deletion.commands',
  severity: { default: 'warning', possible: ['info', 'warning', 'critical'] },
  evidence: z.object({
    /** DEL and UNLINK calls since the counters started (a multi-key DEL counts once: a lower bound of keys deleted). */
    del: z.number(),
    unlink: z.number(),
    /** Keys that expired (expired_keys) and were evicted (evicted_keys) over the same time. */
    expiredKeys: z.number(),
    evictedKeys: z.number(),
    /** Keys, and keys with a TTL, in the store now (INFO keyspace). */
    keys: z.number(),
    expires: z.number(),
    /** Share of the keys that ended by DEL/UNLINK rather than by expiring: deletes / (deletes + expired). */
    deletedShare: z.number(),
    /** Seconds the counters cover (uptime of the oldest node, or since CONFIG RESETSTAT). */
    sinceSeconds: z.number().nullable(),
    nodes: z.number(),
    /** More than one node (a cluster's masters): each one's own counters, which the totals sum. */
    perNode: z
      .array(
        z.object({
          address: z.string(),
          del: z.number(),
          unlink: z.number(),
          expiredKeys: z.number(),
          evictedKeys: z.number(),
          keys: z.number(),
        }),
      )
      .optional(),
    note: z.string(),
  }),
  scenarios: [[4, 'strong']],
});

export const deletionCountersFindings = [deletionCommands] as const;
