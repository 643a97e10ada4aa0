import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';
import { harmEvidenceSchema } from '../harm.js';

/** The findings of `ttl-sample` (runbook Diagnosis step 2). */

const cluster = z.object({ ttlSeconds: z.number(), count: z.number(), share: z.number() });
const basis = z.enum(['created_at', 'last_access']);

export const ttlDistribution = findingSpec({
  id: 'ttl.distribution',
  severity: { default: 'info' },
  evidence: z.object({
    sampled: z.number(),
    withTtl: z.number(),
    noExpiry: z.number(),
    vanished: z.number(),
    p50Seconds: z.number().nullable(),
    buckets: z.array(z.object({ label: z.string(), count: z.number() })),
    approximate: z.boolean(),
    mode: z.enum(['full', 'sample']),
    keyPattern: z.string(),
    expectedTtlSeconds: z.number(),
    slidingWindow: z.boolean(),
    nodes: z.number(),
    originalTtl: z.object({
      basis: basis.nullable(),
      valuesRead: z.number(),
      withBasis: z.number(),
      modeSeconds: z.number().nullable(),
      clusters: z.array(cluster),
      note: z.string().optional(),
    }),
    /** Whether session values were read, per node, and why not (a Redis near its maxmemory). */
    valueReads: z
      .object({
        read: z.boolean(),
        note: z.string().optional(),
        nodes: z.array(
          z.object({
            address: z.string(),
            values: z.boolean(),
            usedMemory: z.number().nullable(),
            maxmemory: z.number().nullable(),
            headroomBytes: z.number().nullable(),
            fragmentationRatio: z.number().nullable(),
            clientBuffersBytes: z.number().nullable(),
          }),
        ),
      })
      .optional(),
    /**
     * Redis Cluster: how the slot map moved between the start of the diagnosis and the end of the scan.
     * When `changed`, keys that moved may be counted twice or not at all, and `note` says so (a failover
     * alone moves no key: `note` names the promoted replica and the counts stand).
     */
    slotMap: z
      .object({
        changed: z.boolean(),
        movedSlots: z.number(),
        /** Masters whose former replica serves their slots now: no key moved, the counts stand. */
        failovers: z.array(z.object({ from: z.string(), to: z.string(), slots: z.number() })),
        migratingSlots: z.array(z.number()),
        redirects: z.number(),
        mastersBefore: z.number(),
        mastersAfter: z.number(),
        headline: z.string().optional(),
        note: z.string().optional(),
      })
      .optional(),
    /** A full audit: gentle (paced, the default) or fast (`--fast`), and how each node was read. */
    audit: z
      .object({
        mode: z.enum(['gentle', 'fast']),
        scanCount: z.number(),
        pauseMs: z.number(),
        batches: z.number(),
        durationMs: z.number(),
        /** The bot's CPU (user + system) during the pass, in ms. */
        cpuMs: z.number().optional(),
        paths: z.array(
          z.object({
            address: z.string(),
            path: z.enum(['script', 'lean', 'pipeline']),
            batches: z.number(),
            /** 2 when two cursors shared the node's keyspace (fast, standalone Redis). */
            cursors: z.number().optional(),
          }),
        ),
        note: z.string().optional(),
      })
      .optional(),
  }),
  scenarios: [],
});

export const ttlNoExpiry = findingSpec({
  id: 'ttl.no_expiry',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: z.object({
    noExpiry: z.number(),
    sampled: z.number(),
    ratio: z.number(),
    samples: z.array(z.string()),
    /** What the severity was judged from: the share without a TTL (issue 18 item 8). */
    harm: harmEvidenceSchema.optional(),
  }),
  scenarios: [[2, 'strong']],
});

export const ttlAboveConfigured = findingSpec({
  id: 'ttl.above_configured',
  severity: { default: 'warning' },
  evidence: z.object({
    count: z.number(),
    sampled: z.number(),
    ratio: z.number(),
    maxSeconds: z.number(),
    expectedTtlSeconds: z.number(),
    toleranceSeconds: z.number(),
    samples: z.array(z.string()),
  }),
  scenarios: [[6, 'weak']],
});

export const ttlEffectiveBelow = findingSpec({
  id: 'ttl.effective_below_configured',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: z.object({
    expectedTtlSeconds: z.number(),
    apparentTtlSeconds: z.number(),
    ratio: z.number(),
    highRemainingSeconds: z.number(),
    highRemainingStatistic: z.enum(['p99', 'max']),
    source: z.string(),
    withTtl: z.number(),
    harm: harmEvidenceSchema.optional(),
  }),
  scenarios: [
    [6, 'weak'],
    [2, 'weak'],
  ],
});

export const ttlInconsistent = findingSpec({
  id: 'ttl.inconsistent',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: z.object({
    basis,
    sessions: z.number(),
    clusters: z.array(cluster),
    /** The harm of the cluster furthest below the expected TTL, when one is below it. */
    harm: harmEvidenceSchema.optional(),
  }),
  scenarios: [
    [2, 'weak'],
    [6, 'weak'],
  ],
});

export const ttlShortPopulation = findingSpec({
  id: 'ttl.short_population',
  severity: { default: 'warning', possible: ['warning', 'critical'] },
  evidence: z.object({
    expectedTtlSeconds: z.number(),
    /** The TTL that population is written with, estimated from the ceiling of the pile-up (rounded up). */
    estimatedTtlSeconds: z.number(),
    ceilingSeconds: z.number(),
    /** Share of the keys with a TTL in that population, and about how many of the sampled keys that is. */
    share: z.number(),
    affected: z.number(),
    withTtl: z.number(),
    densityRatio: z.number(),
    source: z.literal('remaining TTLs'),
    harm: harmEvidenceSchema.optional(),
    /** Log-likelihood ratio of two populations over one even spread of remaining TTLs. */
    logLikelihoodRatio: z.number().optional(),
    /** How far the estimate moves over resamples of the sample: 90% intervals, and how often it is found at all. */
    uncertainty: z
      .object({
        ttlSeconds: z.object({ low: z.number(), high: z.number() }),
        share: z.object({ low: z.number(), high: z.number() }),
        resamples: z.number(),
        foundIn: z.number(),
      })
      .optional(),
  }),
  scenarios: [
    [6, 'strong'],
    [2, 'weak'],
  ],
});

export const ttlSampleFindings = [
  ttlDistribution,
  ttlNoExpiry,
  ttlAboveConfigured,
  ttlEffectiveBelow,
  ttlInconsistent,
  ttlShortPopulation,
] as const;
