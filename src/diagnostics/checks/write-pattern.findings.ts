import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `write-pattern` (runbook Diagnosis step 4, Scenario 2). */

const calls = z.record(z.string(), z.number());

export const setWithoutTtlSpec = findingSpec({
  id: 'code.set_without_ttl',
  severity: { default: 'warning' },
  evidence: z.object({
    setCalls: z.number(),
    setexCalls: z.number(),
    sampled: z.number(),
    noTtl: z.number(),
    samples: z.array(z.string()),
    ttlLessWriteCalls: calls,
    expireCalls: z.number(),
    persistCalls: z.number(),
    keyPattern: z.string(),
    countsSince: z.string(),
    /** More than one node (a cluster's masters): the counts are summed over this many. */
    nodes: z.number().optional(),
  }),
  scenarios: [[2, 'strong']],
});

export const setThenExpireSpec = findingSpec({
  id: 'code.set_then_expire',
  severity: { default: 'warning' },
  evidence: z.object({
    setCalls: z.number(),
    expireCalls: z.number(),
    expireByCommand: calls,
    setexCalls: z.number(),
    readCalls: z.number(),
    creationExpireCalls: z.number(),
    ratio: z.number().nullable(),
    slidingWindow: z.boolean(),
    rule: z.string(),
    countsSince: z.string(),
    /** More than one node (a cluster's masters): the counts are summed over this many. */
    nodes: z.number().optional(),
  }),
  scenarios: [[2, 'strong']],
});

export const writePatternFindings = [setWithoutTtlSpec, setThenExpireSpec] as const;
