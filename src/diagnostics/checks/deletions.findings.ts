import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `deletions` (runbook Scenario 4). */

const common = {
  namespace: z.string(),
  selector: z.string(),
  samples: z.array(z.string()),
  /** DEL/UNLINK counts from Redis, when a Redis source was there. */
  redisDeletes: z.record(z.string(), z.unknown()).optional(),
};

export const deletionInLogs = findingSpec({
  id: 'deletion.in_logs',
  severity: { default: 'warning', possible: ['info', 'warning'] },
  evidence: z.object({
    ...common,
    podsSearched: z.number(),
    tailLines: z.number(),
    linesRead: z.number(),
    matched: z.number(),
    logouts: z.number(),
    otherDeletions: z.number(),
    byPod: z.record(z.string(), z.number()),
    podErrors: z.array(z.object({ pod: z.string(), error: z.string() })).optional(),
  }),
  scenarios: [[4, 'strong']],
});

export const deletionBulk = findingSpec({
  id: 'deletion.bulk',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: z.object({
    ...common,
    windowSeconds: z.number(),
    threshold: z.number(),
    densestWindow: z.object({
      count: z.number(),
      from: z.string().nullable().optional(),
      to: z.string().nullable().optional(),
    }),
    reportedBulkCounts: z.array(z.number()),
  }),
  scenarios: [[4, 'strong']],
});

export const deletionsFindings = [deletionInLogs, deletionBulk] as const;
