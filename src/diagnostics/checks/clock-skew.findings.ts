import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The finding of `clock-skew` (runbook Scenario 5). */
export const clockSkew = findingSpec({
  id: 'clock.skew',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: z.object({
    thresholdMs: z.number(),
    maxOffsetMs: z.number(),
    offsets: z.array(
      z.object({
        source: z.string(),
        kind: z.enum(['redis', 'kubernetes', 'app']),
        offsetMs: z.number(),
        uncertaintyMs: z.number(),
        roundTripMs: z.number(),
      }),
    ),
    skewed: z.array(z.string()),
    botClockSuspect: z.boolean(),
    unavailable: z.array(z.object({ source: z.string(), reason: z.string() })).optional(),
  }),
  scenarios: [[5, 'strong']],
});
