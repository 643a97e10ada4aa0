import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `replica-reads`: which node the keyspace was read from, when replicas are configured. */

const replicaReading = z.object({
  address: z.string(),
  link: z.string().nullable(),
  /** Bytes of replication stream the replica has not applied yet; null when unknown. */
  lagBytes: z.number().nullable(),
  lastIoSeconds: z.number().nullable(),
  /** Why this replica was not read. */
  problem: z.string().optional(),
});

const readsEvidence = z.object({
  mode: z.enum(['replica', 'primary']),
  primaries: z.array(z.string()),
  /** The replica(s) the sampler and `--full` read; empty: the primary. */
  readFrom: z.array(z.string()),
  /** The lag of the replica read (the largest of several), in bytes; null when the primary was read or unknown. */
  lagBytes: z.number().nullable(),
  replicas: z.array(replicaReading),
  /** Cluster masters with no replica at all, read themselves because redis.readFrom is unset. */
  withoutReplica: z.array(z.string()),
});

export const replicaReadsSource = findingSpec({
  id: 'replica_reads.source',
  severity: { default: 'info' },
  evidence: readsEvidence,
  scenarios: [],
});

export const replicaReadsFallback = findingSpec({
  id: 'replica_reads.fallback',
  severity: { default: 'warning' },
  evidence: readsEvidence.extend({ reason: z.string() }),
  scenarios: [],
});

export const replicaReadsFindings = [replicaReadsSource, replicaReadsFallback] as const;
