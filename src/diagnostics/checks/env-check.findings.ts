import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `env-check` (runbook Diagnosis step 1, Scenario 6). */

const where = { namespace: z.string(), configMap: z.string() };

export const missingKey = findingSpec({
  id: 'config.missing_key',
  severity: { default: 'critical' },
  evidence: z.object({
    ...where,
    exists: z.boolean(),
    keys: z.array(z.string()).optional(),
    expectedTtlSeconds: z.number(),
  }),
  scenarios: [[6, 'weak']],
});

export const ttlNotExpected = findingSpec({
  id: 'config.ttl_not_expected',
  severity: { default: 'critical', possible: ['warning', 'critical'] },
  // Either the value could not be read (`value`) or it differs from the expected TTL (`configuredTtlSeconds`).
  evidence: z.object({
    ...where,
    value: z.string().optional(),
    configuredTtlSeconds: z.number().optional(),
    expectedTtlSeconds: z.number(),
  }),
  scenarios: [[6, 'strong']],
});

export const configMapNotReferenced = findingSpec({
  id: 'config.configmap_not_referenced',
  severity: { default: 'warning' },
  evidence: z.object({ ...where, selector: z.string(), pods: z.array(z.string()), podsChecked: z.number() }),
  scenarios: [[6, 'weak']],
});

export const envOverrideMismatch = findingSpec({
  id: 'config.env_override_mismatch',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: z.object({
    namespace: z.string(),
    pods: z.array(z.string()),
    container: z.string(),
    variable: z.string(),
    value: z.string(),
    configMapTtlSeconds: z.number().nullable(),
    expectedTtlSeconds: z.number(),
  }),
  scenarios: [[6, 'strong']],
});

export const stalePods = findingSpec({
  id: 'config.stale_pods',
  severity: { default: 'warning' },
  evidence: z.object({
    ...where,
    configMapChangedAt: z.string(),
    stale: z.array(z.object({ pod: z.string(), container: z.string(), startedAt: z.string() })),
  }),
  scenarios: [[6, 'weak']],
});

export const noPods = findingSpec({
  id: 'config.no_pods',
  severity: { default: 'warning' },
  evidence: z.object({ namespace: z.string(), selector: z.string() }),
  scenarios: [],
});

export const envCheckFindings = [
  missingKey,
  ttlNotExpected,
  configMapNotReferenced,
  envOverrideMismatch,
  stalePods,
  noPods,
] as const;
