import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The finding of `hardcoded-ttl` (runbook Scenario 6 step 3). */
export const hardcodedTtlSuspected = findingSpec({
  id: 'config.hardcoded_ttl_suspected',
  severity: { default: 'warning', possible: ['info', 'warning', 'critical'] },
  evidence: z.object({
    writerTtlSeconds: z.number(),
    basis: z.string(),
    lowerBound: z.boolean(),
    sessions: z.number(),
    clusters: z.array(z.object({ ttlSeconds: z.number(), count: z.number(), share: z.number() })).optional(),
    configured: z.array(z.object({ source: z.string(), seconds: z.number() })),
    configMapTtlSeconds: z.number().nullable(),
    expectedTtlSeconds: z.number(),
    ratio: z.number(),
    skippedWrittenBeforeConfigChange: z.number().optional(),
  }),
  scenarios: [[6, 'strong']],
});
