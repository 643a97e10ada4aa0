import { z } from 'zod';
import { findingSpec } from './finding-spec.js';

/*
 * Findings the engine raises itself rather than a check: a check's source failed (see
 * source-failure.ts), or the findings together call for escalation (see escalation.ts). The evidence
 * schemas are the contract source-failure.ts emits.
 */

const status = z.object({ status: z.number().nullable() });

export const redisUnreachable = findingSpec({
  id: 'redis.unreachable',
  severity: { default: 'critical' },
  evidence: z.object({ address: z.string(), code: z.string().nullable(), kind: z.string().optional() }),
  scenarios: [],
  oncePerReport: true,
});

/** The TLS handshake with the session store failed: the certificate problem, not "unreachable". */
export const redisTls = findingSpec({
  id: 'redis.tls',
  severity: { default: 'critical' },
  evidence: z.object({ address: z.string(), code: z.string().nullable() }),
  scenarios: [],
  oncePerReport: true,
});

export const redisForbidden = findingSpec({
  id: 'redis.forbidden',
  severity: { default: 'warning' },
  evidence: z.object({ address: z.string(), command: z.string().nullable(), aclRule: z.string().nullable() }),
  scenarios: [],
  oncePerReport: true,
});

export const kubernetesForbidden = findingSpec({
  id: 'kubernetes.forbidden',
  severity: { default: 'warning' },
  evidence: status,
  scenarios: [],
  oncePerReport: true,
});

export const kubernetesUnreachable = findingSpec({
  id: 'kubernetes.unreachable',
  severity: { default: 'warning' },
  evidence: status,
  scenarios: [],
  oncePerReport: true,
});

export const escalationSevere = findingSpec({
  id: 'escalation.severe',
  severity: { default: 'critical' },
  evidence: z.object({
    expectedTtlSeconds: z.number(),
    /** How long the worst-hit sessions live; null when they never expire. */
    estimatedLifetimeSeconds: z.number().nullable(),
    /** The share of the sessions that estimate covers. */
    share: z.number(),
    basis: z.string(),
    estimates: z.array(z.object({ source: z.string(), seconds: z.number().nullable(), share: z.number() })),
  }),
  scenarios: [],
});

/** The id under which the engine's own findings appear in the catalogue. */
export const ENGINE_OWNER = 'engine';

export const engineFindings = [
  redisUnreachable,
  redisTls,
  redisForbidden,
  kubernetesForbidden,
  kubernetesUnreachable,
  escalationSevere,
] as const;
