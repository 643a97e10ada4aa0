import type { RedisNodePort, SentinelReplicaSet } from '../../core/ports/session-store.js';
import { defineCheck } from '../define-check.js';
import type { RawFinding } from '../types.js';
import { readMemory } from './memory.js';
import {
  replicaDrift,
  replicaPolicy,
  replicaUnhealthy,
  sentinelFindings,
  sentinelTopology,
  type SentinelNodeReading,
} from './sentinel.findings.js';

const EVICTS_SESSIONS = new Set(['allkeys-lru', 'allkeys-lfu', 'allkeys-random']);
/** A replica further behind than this (bytes of replication stream) would lose writes at a failover. */
const LAG_BYTES = 1024 * 1024;
const BAD_FLAGS = ['s_down', 'o_down', 'disconnected'];

function offsetOf(info: Record<string, string>, key: string): number | null {
  const v = Number(info[key]);
  return Number.isFinite(v) && info[key] !== undefined ? v : null;
}

async function readNode(
  node: RedisNodePort,
  role: SentinelNodeReading['role'],
  flags: readonly string[],
): Promise<SentinelNodeReading & { offset: number | null }> {
  try {
    const [memory, repl] = await Promise.all([readMemory(node), node.info('replication')]);
    return {
      address: node.address,
      role,
      policy: memory.policy ?? null,
      maxmemory: memory.maxmemory,
      lagBytes: null,
      link: role === 'replica' ? (repl.master_link_status ?? null) : null,
      flags: [...flags],
      offset: offsetOf(repl, role === 'master' ? 'master_repl_offset' : 'slave_repl_offset'),
    };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const nulls = { policy: null, maxmemory: null, lagBytes: null, link: null, offset: null };
    return { address: node.address, role, ...nulls, flags: [...flags], error };
  }
}

/** Every node of the replica set, the master first, each replica's lag against the master's offset. */
async function readAll(master: RedisNodePort, set: SentinelReplicaSet): Promise<SentinelNodeReading[]> {
  const [m, ...replicas] = await Promise.all([
    readNode(master, 'master', []),
    ...set.replicas.map((r) => readNode(r.node, 'replica', r.flags)),
  ]);
  if (!m) return [];
  const lag = (r: { offset: number | null }) =>
    m.offset !== null && r.offset !== null ? Math.max(0, m.offset - r.offset) : null;
  return [m, ...replicas].map(({ offset, ...r }) => ({
    ...r,
    lagBytes: r.role === 'replica' ? lag({ offset }) : null,
  }));
}

function describe(r: SentinelNodeReading): string {
  if (r.error) return `${r.address} (${r.role}, not readable)`;
  const lag = r.lagBytes === null ? '' : `, ${r.lagBytes} bytes behind`;
  return `${r.address} (${r.role}, ${r.policy ?? 'unknown policy'}, maxmemory ${r.maxmemory ?? '?'}${lag})`;
}

function findings(set: SentinelReplicaSet, nodes: SentinelNodeReading[]): RawFinding[] {
  const base = {
    masterName: set.masterName,
    master: set.master,
    sentinel: set.sentinel,
    nodes,
    readFrom: set.readFrom ?? null,
  };
  const [m, ...replicas] = nodes;
  if (!m) return [];
  const out: RawFinding[] = [
    {
      id: sentinelTopology.id,
      severity: 'info',
      title: `Sentinel master ${set.masterName} is ${set.master}, with ${replicas.length} replica(s)`,
      detail: `As sentinel ${set.sentinel} names them: ${nodes.map(describe).join('; ')}. ${readText(set, nodes)}`,
      evidence: base,
    },
  ];
  const evicting = replicas.filter((r) => r.policy && EVICTS_SESSIONS.has(r.policy) && r.policy !== m.policy);
  if (evicting.length) out.push(policyFinding(base, m, evicting));
  const drifted = replicas.filter((r) => !r.error && !evicting.includes(r) && differences(m, r).length);
  if (drifted.length) {
    const differencesList = drifted.flatMap((r) => differences(m, r).map((d) => `${r.address}: ${d}`));
    out.push({
      id: replicaDrift.id,
      severity: 'info',
      title: `${drifted.length} replica(s) of ${set.masterName} differ from the master: ${differencesList.join('; ')}`,
      detail: 'A replica becomes the master at a failover, with its own settings: keep them equal to the master.',
      evidence: { ...base, affected: drifted.map((r) => r.address), differences: differencesList },
      fix: 'Apply the same settings to every replica (the remediation actions set the master and every replica).',
    });
  }
  const unhealthy = replicas.filter(
    (r) =>
      r.error ||
      r.flags.some((f) => BAD_FLAGS.includes(f)) ||
      (r.link && r.link !== 'up') ||
      (r.lagBytes ?? 0) > LAG_BYTES,
  );
  if (unhealthy.length) {
    out.push({
      id: replicaUnhealthy.id,
      severity: 'warning',
      title: `${unhealthy.length} replica(s) of ${set.masterName} are down, unlinked or behind: ${unhealthy.map(describe).join('; ')}`,
      detail:
        'Sessions written to the master but not yet on the replica are lost if it is promoted; an unreadable ' +
        `or disconnected replica cannot take over. ${unhealthy.flatMap((r) => (r.error ? [r.error] : [])).join(' ')}`.trim(),
      evidence: { ...base, affected: unhealthy.map((r) => r.address) },
    });
  }
  return out;
}

/** Where the keys were read, with that replica's lag: what the counts may miss. */
function readText(set: SentinelReplicaSet, nodes: SentinelNodeReading[]): string {
  if (!set.readFrom) return 'Keys were read on the master (redis.readFrom: primary, or no healthy replica).';
  const lag = nodes.find((n) => n.address === set.readFrom)?.lagBytes;
  const behind = lag === null || lag === undefined ? 'lag unknown' : `${lag} bytes of replication stream behind`;
  return `Keys were read on replica ${set.readFrom} (${behind}), not on the master.`;
}

function differences(m: SentinelNodeReading, r: SentinelNodeReading): string[] {
  const out: string[] = [];
  if (r.policy !== m.policy) out.push(`maxmemory-policy ${r.policy ?? '?'} (master: ${m.policy ?? '?'})`);
  if (r.maxmemory !== m.maxmemory) out.push(`maxmemory ${r.maxmemory ?? '?'} (master: ${m.maxmemory ?? '?'})`);
  return out;
}

function policyFinding(
  base: { masterName: string; master: string; sentinel: string; nodes: SentinelNodeReading[]; readFrom: string | null },
  m: SentinelNodeReading,
  evicting: SentinelNodeReading[],
): RawFinding {
  const named = evicting.map((r) => `${r.address} (${r.policy ?? '?'})`).join(', ');
  return {
    id: replicaPolicy.id,
    severity: 'warning',
    title: `Replica ${named} would evict sessions after a failover: its maxmemory-policy differs from the master's ${m.policy ?? 'policy'}`,
    detail:
      `Sentinel promotes a replica when the master ${m.address} fails; with an allkeys-* policy the new master ` +
      'evicts session keys before their TTL under memory pressure (runbook Scenario 1), although the master is fine today.',
    evidence: { ...base, masterPolicy: m.policy, affected: evicting.map((r) => r.address) },
    fix:
      `Set maxmemory-policy ${m.policy ?? 'volatile-lru'} on every replica as on the master (the set-eviction-policy ` +
      "action sets the master and every replica), and in the replicas' redis.conf.",
  };
}

/**
 * Redis Sentinel: names the master and its replicas and compares each replica with the master (eviction
 * policy, maxmemory, replication lag and link). Runs only on a Sentinel-managed store.
 */
export const sentinelCheck = defineCheck({
  id: 'sentinel',
  summary: 'Redis Sentinel: the current master, its replicas, and a replica that would evict sessions after a failover',
  needs: ['redis'],
  findings: sentinelFindings,
  async run(ctx) {
    const set = ctx.redis.replicaSet?.();
    const master = ctx.redis.nodes[0];
    if (!master || !ctx.redis.replicaSet) return [];
    // No sentinel answered: the master node fails with the reason, which this check reports too.
    if (!set) await master.info('replication');
    if (!set) return [];
    return findings(set, await readAll(master, set));
  },
});
