import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `aof` (runbook Scenario 7). */

const aofEvidence = z.object({
  address: z.string(),
  aofCurrentSizeBytes: z.number().nullable(),
  aofBaseSizeBytes: z.number().nullable(),
  rewrites: z.number().nullable(),
  lastRewriteSeconds: z.number().nullable(),
  /** More than one node (a cluster's masters): each one's AOF state, so a node that differs shows. */
  nodes: z
    .array(
      z.object({
        address: z.string(),
        enabled: z.boolean(),
        rewrites: z.number().nullable().optional(),
        lastBgrewriteStatus: z.string().optional(),
        delayedFsync: z.number().optional(),
        rewritePercentage: z.number().nullable().optional(),
        rewriteMinSizeBytes: z.number().nullable().optional(),
      }),
    )
    .optional(),
});

export const lastRewriteFailed = findingSpec({
  id: 'aof.last_rewrite_failed',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: aofEvidence.extend({
    lastBgrewriteStatus: z.string().nullable(),
    lastWriteStatus: z.string().nullable(),
    consecutiveFailures: z.number().nullable(),
    failedNodes: z.array(z.string()).optional(),
  }),
  scenarios: [[7, 'strong']],
});

export const rewriteInProgress = findingSpec({
  id: 'aof.rewrite_in_progress',
  severity: { default: 'warning' },
  evidence: aofEvidence.extend({
    rewriteInProgress: z.boolean(),
    rewriteScheduled: z.boolean(),
    currentRewriteSeconds: z.number(),
    busyNodes: z.array(z.string()).optional(),
  }),
  // A single rewrite is routine; rewrites seen happening often are the runbook's cause.
  scenarios: [[7, 'weak']],
});

export const delayedFsync = findingSpec({
  id: 'aof.delayed_fsync',
  severity: { default: 'warning' },
  evidence: aofEvidence.extend({
    delayedFsync: z.number(),
    appendfsync: z.string().nullable(),
    pendingBioFsync: z.number().nullable(),
    perNode: z.array(z.object({ address: z.string(), delayedFsync: z.number() })).optional(),
  }),
  scenarios: [[7, 'strong']],
  // A disk that cannot keep up: no rewrite setting fixes it.
});

export const frequentRewrites = findingSpec({
  id: 'aof.frequent_rewrites',
  severity: { default: 'warning', possible: ['info', 'warning'] },
  evidence: aofEvidence.extend({
    rewritePercentage: z.number().nullable(),
    rewriteMinSize: z.string().nullable(),
    rewriteMinSizeBytes: z.number().nullable(),
    rewriteEveryBytes: z.number().nullable(),
    ratePerHour: z.number().nullable(),
    uptimeSeconds: z.number(),
    observed: z.boolean(),
    configAllowed: z.boolean(),
    reasons: z.array(z.string()),
    usedMemoryBytes: z.number().nullable(),
    source: z.string(),
    note: z.string().optional(),
    recommended: z.object({ rewritePercentage: z.number(), rewriteMinSize: z.string() }),
  }),
  scenarios: [[7, 'strong']],
});

export const aofFindings = [lastRewriteFailed, rewriteInProgress, delayedFsync, frequentRewrites] as const;
