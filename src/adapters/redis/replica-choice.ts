import type { RedisNodePort, ReplicaReading } from '../../core/ports/session-store.js';

/** A replica further behind than this (bytes of replication stream) is not read: its counts would be stale. */
export const MAX_READ_LAG_BYTES = 1024 * 1024;

function numberOf(info: Record<string, string>, key: string): number | null {
  const v = info[key];
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** The primary's replication offset, or null when unreadable (the lag is then unknown). */
async function primaryOffset(primary: RedisNodePort): Promise<number | null> {
  try {
    return numberOf(await primary.info('replication'), 'master_repl_offset');
  } catch {
    return null;
  }
}

async function readReplica(node: RedisNodePort, masterOffset: number | null): Promise<ReplicaReading> {
  const base = { address: node.address, link: null, lagBytes: null, lastIoSeconds: null };
  let info: Record<string, string>;
  try {
    info = await node.info('replication');
  } catch (err) {
    return { ...base, problem: `not readable: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (info.role !== 'slave') return { ...base, problem: `not a replica (role ${info.role ?? 'unknown'})` };
  const offset = numberOf(info, 'slave_repl_offset');
  const lagBytes = masterOffset !== null && offset !== null ? Math.max(0, masterOffset - offset) : null;
  const reading: ReplicaReading = {
    address: node.address,
    link: info.master_link_status ?? null,
    lagBytes,
    lastIoSeconds: numberOf(info, 'master_last_io_seconds_ago'),
  };
  if (reading.link !== 'up') return { ...reading, problem: `master_link_status ${reading.link ?? 'unknown'}` };
  if (lagBytes !== null && lagBytes > MAX_READ_LAG_BYTES)
    return { ...reading, problem: `${lagBytes} bytes of replication stream behind (over ${MAX_READ_LAG_BYTES})` };
  return reading;
}

/**
 * Reads `INFO replication` of the primary and of each replica and picks the replica to read the keyspace
 * from: linked (`master_link_status:up`), at most `MAX_READ_LAG_BYTES` behind, the least behind first.
 * Never throws: an unreadable node is a reading with its problem.
 */
export async function chooseReplica(
  primary: RedisNodePort,
  replicas: readonly RedisNodePort[],
): Promise<{ readings: ReplicaReading[]; chosen: number | undefined }> {
  const masterOffset = await primaryOffset(primary);
  const readings = await Promise.all(replicas.map((r) => readReplica(r, masterOffset)));
  let chosen: number | undefined;
  readings.forEach((r, i) => {
    if (r.problem) return;
    const best = chosen === undefined ? undefined : readings[chosen];
    if (!best || (r.lagBytes ?? Infinity) < (best.lagBytes ?? Infinity)) chosen = i;
  });
  return { readings, chosen };
}
