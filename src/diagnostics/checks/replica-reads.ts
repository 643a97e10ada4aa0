import type { ReplicaReading, ReplicaReads } from '../../core/ports/session-store.js';
import { defineCheck } from '../define-check.js';
import type { RawFinding } from '../types.js';
import { replicaReadsFallback, replicaReadsFindings, replicaReadsSource } from './replica-reads.findings.js';

function describe(r: ReplicaReading): string {
  if (r.problem) return `${r.address} (${r.problem})`;
  return `${r.address} (link ${r.link ?? '?'}, ${r.lagBytes === null ? 'lag unknown' : `${r.lagBytes} bytes behind`})`;
}

/** The lag of the replicas read: the largest, or null when one is unknown or none was read. */
function lagOf(reads: ReplicaReads): number | null {
  const lags = reads.readFrom.map((a) => reads.replicas.find((r) => r.address === a)?.lagBytes ?? null);
  if (!lags.length || lags.some((l) => l === null)) return null;
  return Math.max(...lags.map((l) => l ?? 0));
}

/** The finding that names where the keys were read, with the replica's lag (or why the primary was read). */
export function replicaReadsFinding(reads: ReplicaReads): RawFinding {
  const lagBytes = lagOf(reads);
  const alone = reads.withoutReplica ?? [];
  const evidence = {
    ...reads,
    primaries: [...reads.primaries],
    readFrom: [...reads.readFrom],
    lagBytes,
    withoutReplica: [...alone],
  };
  const replicas = reads.replicas.map(describe).join('; ') || 'none';
  const aloneText = alone.length ? `; master(s) ${alone.join(', ')}, which have no replica, were read themselves` : '';
  if (reads.readFrom.length && !reads.fallback) {
    const behind = lagBytes === null ? 'lag unknown' : `${lagBytes} bytes of replication stream behind`;
    return {
      id: replicaReadsSource.id,
      severity: 'info',
      title: `Keys were read on replica ${reads.readFrom.join(', ')} (${behind}), not on the primary${aloneText}`,
      detail:
        `The sampler and --full read the replica; INFO and CONFIG were read on ${reads.primaries.join(', ')}. ` +
        `Replicas: ${replicas}. Keys written in the last moments may not be on the replica yet.`,
      evidence,
    };
  }
  if (!reads.fallback && alone.length) {
    return {
      id: replicaReadsSource.id,
      severity: 'info',
      title: `Keys were read on the masters ${alone.join(', ')}: the cluster has no replica to read`,
      detail:
        'redis.readFrom is unset, so a replica is read where a master has one; no master has. ' +
        'Set redis.readFrom: primary to read the masters on purpose.',
      evidence,
    };
  }
  if (reads.mode === 'primary') {
    return {
      id: replicaReadsSource.id,
      severity: 'info',
      title: `Keys were read on the primary ${reads.primaries.join(', ')} (redis.readFrom: primary)`,
      detail: `Replicas configured: ${replicas}.`,
      evidence,
    };
  }
  const reason = reads.fallback ?? 'no replica is healthy';
  const title = reads.readFrom.length
    ? `Not every key was read on a replica (${reads.readFrom.join(', ')} were): ${reason}`
    : `Keys were read on the primary ${reads.primaries.join(', ')}: ${reason}`;
  return {
    id: replicaReadsFallback.id,
    severity: 'warning',
    title,
    detail: `redis.readFrom is replica (or unset with replicas), but no replica could be read: ${replicas}. The audit loaded the primary instead.`,
    evidence: { ...evidence, reason },
    fix: 'Bring a replica back in sync (master_link_status:up), or set redis.readFrom: primary to read the primary on purpose.',
  };
}

/**
 * Audits from a replica (`redis.replicas`, or a Cluster unless `readFrom: primary`): names the node the sampler
 * and `--full` read and that replica's lag, or, when no replica was healthy, that the primary was read and why
 * (a Cluster with no replica at all, `readFrom` unset: an info line that its masters were read).
 */
export const replicaReadsCheck = defineCheck({
  id: 'replica-reads',
  summary: 'Audits from a replica: the node the keys were read on and its replication lag',
  needs: ['redis'],
  findings: replicaReadsFindings,
  async run(ctx) {
    const reads = ctx.redis.replicaReads?.();
    return reads ? [replicaReadsFinding(reads)] : [];
  },
});
