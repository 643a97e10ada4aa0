import { z } from 'zod';
import { findingSpec } from '../catalogue/finding-spec.js';

/** The findings of `sentinel`: a Sentinel-managed primary and the replicas that may replace it. */

const nodeReading = z.object({
  address: z.string(),
  role: z.enum(['master', 'replica']),
  policy: z.string().nullable(),
  maxmemory: z.number().nullable(),
  /** Bytes of replication stream the replica has not applied yet (master offset - replica offset). */
  lagBytes: z.number().nullable(),
  /** `master_link_status` of a replica (`up`/`down`); null on the master. */
  link: z.string().nullable(),
  /** Sentinel's flags for a replica (`slave`, `s_down`, `disconnected`). */
  flags: z.array(z.string()),
  /** Set when the node could not be read. */
  error: z.string().optional(),
});

const topologyEvidence = z.object({
  masterName: z.string(),
  master: z.string(),
  sentinel: z.string(),
  nodes: z.array(nodeReading),
  /** The replica the sampler and `--full` read keys from; null: the master. */
  readFrom: z.string().nullable(),
});

export type SentinelNodeReading = z.infer<typeof nodeReading>;

export const sentinelTopology = findingSpec({
  id: 'sentinel.topology',
  severity: { default: 'info' },
  evidence: topologyEvidence,
  scenarios: [],
});

export const replicaPolicy = findingSpec({
  id: 'sentinel.replica_policy',
  severity: { default: 'warning' },
  evidence: topologyEvidence.extend({ masterPolicy: z.string().nullable(), affected: z.array(z.string()) }),
  // Latent: sessions are evicted early only once such a replica is the master, so no scenario is likely yet.
  scenarios: [],
});

export const replicaDrift = findingSpec({
  id: 'sentinel.replica_drift',
  severity: { default: 'info' },
  evidence: topologyEvidence.extend({ affected: z.array(z.string()), differences: z.array(z.string()) }),
  scenarios: [],
});

export const replicaUnhealthy = findingSpec({
  id: 'sentinel.replica_unhealthy',
  severity: { default: 'warning' },
  evidence: topologyEvidence.extend({ affected: z.array(z.string()) }),
  scenarios: [],
});

export const sentinelFindings = [sentinelTopology, replicaPolicy, replicaDrift, replicaUnhealthy] as const;
