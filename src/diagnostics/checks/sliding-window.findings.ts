import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `sliding-window` (runbook Diagnosis step 5, Scenario 3). */

const switchEvidence = z.object({
  namespace: z.string(),
  configMap: z.string(),
  key: z.string(),
  configMapExists: z.boolean(),
  configMapValue: z.string().nullable(),
  expectedSlidingWindow: z.boolean(),
  overrides: z.array(
    z.object({ container: z.string(), variable: z.string(), value: z.string(), pods: z.array(z.string()) }),
  ),
});

export const slidingWindowDisabled = findingSpec({
  id: 'sliding_window.disabled',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: switchEvidence,
  scenarios: [[3, 'strong']],
});

export const slidingWindowUnexpected = findingSpec({
  id: 'sliding_window.unexpected',
  severity: { default: 'warning' },
  evidence: switchEvidence,
  scenarios: [[3, 'weak']],
});

export const slidingWindowFindings = [slidingWindowDisabled, slidingWindowUnexpected] as const;
