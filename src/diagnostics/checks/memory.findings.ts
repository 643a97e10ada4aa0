import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';
import { harmEvidenceSchema } from '../harm.js';

/** The findings of `memory` (runbook Diagnosis step 3, Scenario 1). */

const memoryEvidence = z.object({
  usedMemory: z.number(),
  usedMemoryHuman: z.string(),
  maxmemory: z.number(),
  maxmemoryHuman: z.string(),
  usedRatio: z.number().nullable(),
  address: z.string(),
  nodes: z
    .array(
      z.object({
        address: z.string(),
        usedMemoryHuman: z.string(),
        maxmemoryHuman: z.string(),
        usedRatio: z.number().nullable(),
        /** This node's share of the summed counts: an evicting master is named, not averaged away. */
        evictedKeys: z.number().optional(),
        evictedInWindow: z.number().optional(),
      }),
    )
    .optional(),
  evictedKeys: z.number(),
  evictedInWindow: z.number(),
  ratePerSecond: z.number(),
});

export const memoryHighUsage = findingSpec({
  id: 'memory.high_usage',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: memoryEvidence.extend({
    /** More than one node: the addresses above the high-usage threshold. */
    highNodes: z.array(z.string()).optional(),
  }),
  scenarios: [[1, 'weak']],
});

export const memoryEvictions = findingSpec({
  id: 'memory.evictions',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  // `keys` with `ratePerSecond` estimates how long a key survives eviction (escalation).
  evidence: memoryEvidence.extend({
    windowMs: z.number(),
    keys: z.number(),
    /**
     * The rate (and `windowMs`, `evictedInWindow`) covers the part of the window after the keyspace sample:
     * the bot's own reads are not in it. The window is counted from the check's start, so the sample runs
     * in its first part; `windowMs` is what was left after it (at least a quarter of `rateWindowMs`).
     */
    windowAfterSample: z.boolean().optional(),
    /** Evictions while the bot read its keyspace sample: left out of `evictedKeys` and of the rate. */
    evictedDuringSample: z.number().optional(),
    /** More than one node: the addresses evicting in the window (or, with none now, that evicted earlier). */
    evictingNodes: z.array(z.string()).optional(),
    /** Keys that expired in the same window: the evictions' share of the keys ending now. */
    expiredInWindow: z.number().optional(),
    /** Evictions going on: the share of keys ending by eviction and how long keys live, against the TTL. */
    harm: harmEvidenceSchema.optional(),
  }),
  scenarios: [[1, 'strong']],
});

export const memoryNoLimit = findingSpec({
  id: 'memory.no_limit',
  severity: { default: 'info' },
  evidence: z.object({
    usedMemory: z.number().optional(),
    usedMemoryHuman: z.string().optional(),
    maxmemory: z.literal(0),
    maxmemoryHuman: z.string().optional(),
    usedRatio: z.null(),
    addresses: z.array(z.string()),
  }),
  scenarios: [],
});

export const memoryFindings = [memoryHighUsage, memoryEvictions, memoryNoLimit] as const;
