import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `eviction-policy` (runbook Scenario 1). */

const policyEvidence = z.object({
  policy: z.string().nullable(),
  configAllowed: z.boolean(),
  source: z.string(),
  note: z.string().optional(),
  address: z.string(),
  usedMemoryHuman: z.string(),
  maxmemoryHuman: z.string(),
  usedRatio: z.number().nullable(),
  evictedKeys: z.number(),
  keys: z.number(),
  expires: z.number(),
  /** More than one node (a cluster's masters): the addresses the finding holds on, and every node's reading. */
  affected: z.array(z.string()).optional(),
  nodes: z
    .array(
      z.object({
        address: z.string(),
        policy: z.string().nullable(),
        usedRatio: z.number().nullable().optional(),
        evictedKeys: z.number().optional(),
        keys: z.number().optional(),
      }),
    )
    .optional(),
});

export const allkeysPolicy = findingSpec({
  id: 'eviction.allkeys_policy',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: policyEvidence,
  scenarios: [[1, 'strong']],
});

export const noeviction = findingSpec({
  id: 'eviction.noeviction',
  severity: { default: 'info' },
  evidence: policyEvidence,
  scenarios: [],
});

export const sessionsOnlyCandidates = findingSpec({
  id: 'eviction.sessions_only_candidates',
  severity: { default: 'warning' },
  evidence: policyEvidence.extend({ expiresRatio: z.number() }),
  scenarios: [[1, 'weak']],
});

export const evictionPolicyFindings = [allkeysPolicy, noeviction, sessionsOnlyCandidates] as const;
