import type { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import { configBlockedBy } from '../../config/redis-provider.js';
import type { RedisNodePort, ReplicaReading, ReplicaReads } from '../../core/ports/session-store.js';
import { HeldNode } from './held-node.js';
import type { RedisConnectOptions } from './redis-node.js';
import { chooseReplica } from './replica-choice.js';

const addressOf = (node: unknown): string | undefined =>
  Array.isArray(node) && node.length >= 2 ? `${String(node[0])}:${String(node[1])}` : undefined;

/** `CLUSTER SLOTS` → each master's replicas (`host:port`, as announced). */
export function replicasFromClusterSlots(reply: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!Array.isArray(reply)) return out;
  for (const entry of reply) {
    if (!Array.isArray(entry)) continue;
    const master = addressOf(entry[2]);
    if (!master) continue;
    const known = out.get(master) ?? [];
    for (const r of entry.slice(3)) {
      const a = addressOf(r);
      if (a && !known.includes(a)) known.push(a);
    }
    out.set(master, known);
  }
  return out;
}

/**
 * `CLUSTER NODES` → each master's replicas (`host:port`, as announced). Unlike CLUSTER SLOTS, which leaves
 * out a replica until gossip shows it synced, it lists every replica the node knows; whether a replica is
 * linked and caught up is then asked of the replica itself (`chooseReplica`).
 */
export function replicasFromClusterNodes(text: string): Map<string, string[]> {
  const rows = text
    .split('\n')
    .map((l) => l.trim().split(' '))
    .filter((f) => f.length >= 4)
    .map(([id = '', addr = '', flags = '', master = '']) => ({
      id,
      address: addr.split('@')[0] ?? '',
      flags: flags.split(','),
      master,
    }));
  const addressById = new Map(rows.map((r) => [r.id, r.address]));
  const out = new Map<string, string[]>();
  for (const r of rows) {
    if (r.flags.includes('master')) out.set(r.address, out.get(r.address) ?? []);
    const master = addressById.get(r.master);
    if (!r.flags.includes('slave') || !master || r.flags.some((f) => f === 'fail' || f === 'noaddr')) continue;
    out.set(master, [...(out.get(master) ?? []), r.address]);
  }
  return out;
}

/** Each master's replicas, from CLUSTER NODES, or CLUSTER SLOTS where an ACL refuses it; empty when neither answers. */
async function readReplicaMap(ask: Redis): Promise<Map<string, string[]>> {
  try {
    return replicasFromClusterNodes(String(await ask.call('CLUSTER', 'NODES')));
  } catch {
    return ask.call('CLUSTER', 'SLOTS').then(replicasFromClusterSlots, () => new Map<string, string[]>());
  }
}

/**
 * `redis.readFrom: replica` (or unset) on a Redis Cluster: at each refresh, asks a master for the replicas of every
 * master (`CLUSTER NODES`) and picks, per master, a linked replica least behind (direct connection with
 * READONLY), so the sampler and `--full` read each master's slots on a replica. A master without a healthy
 * replica is read itself, and `reads` says which and why (with `readFrom` unset, a master that has
 * no replica at all is simply read: `withoutReplica`, not a fallback).
 */
export class ClusterReplicaReads {
  private readonly held = new Map<string, HeldNode>();
  private readNodes: RedisNodePort[] | undefined;
  private reads: ReplicaReads | undefined;

  constructor(
    private readonly env: EnvironmentConfig,
    private readonly options: RedisConnectOptions,
  ) {}

  get nodes(): RedisNodePort[] | undefined {
    return this.readNodes;
  }

  get readings(): ReplicaReads | undefined {
    return this.reads;
  }

  /** `masters`: the cluster's masters as the store names them, with a connection to ask CLUSTER SLOTS. */
  async refresh(masters: readonly RedisNodePort[], ask: Redis | undefined): Promise<void> {
    // No replica known: every master is read itself (a fallback when `readFrom: replica` asked for replicas).
    const map = ask ? await readReplicaMap(ask) : new Map<string, string[]>();
    const byMaster = new Map([...map].map(([announced, replicas]) => [this.reachable(announced), replicas]));
    const picks = await Promise.all(masters.map((m) => this.pick(m, byMaster.get(m.address) ?? [])));
    this.readNodes = picks.map((p) => p.node);
    // Unset `readFrom` reads a replica where one exists: a master with none is read without a warning.
    const unreplicated = (p: (typeof picks)[number]) => this.env.redis.readFrom === undefined && !p.readings.length;
    const alone = picks.filter((p) => p.node === p.master && unreplicated(p)).map((p) => p.master.address);
    const direct = picks.filter((p) => p.node === p.master && !unreplicated(p)).map((p) => p.master.address);
    this.reads = {
      primaries: masters.map((m) => m.address),
      mode: 'replica',
      readFrom: picks.flatMap((p) => (p.node === p.master ? [] : [p.node.address])),
      replicas: picks.flatMap((p) => p.readings),
      ...(direct.length ? { fallback: `no healthy replica of master(s) ${direct.join(', ')}, read directly` } : {}),
      ...(alone.length ? { withoutReplica: alone } : {}),
    };
  }

  /** The cluster could not be reached: nothing is known until the next refresh. */
  reset(): void {
    this.readNodes = undefined;
    this.reads = undefined;
  }

  close(): void {
    for (const h of this.held.values()) h.close();
    this.held.clear();
  }

  private async pick(
    master: RedisNodePort,
    announced: readonly string[],
  ): Promise<{ master: RedisNodePort; node: RedisNodePort; readings: ReplicaReading[] }> {
    const replicas = announced.map((a) => this.replica(this.reachable(a)));
    const { readings, chosen } = await chooseReplica(master, replicas);
    const node = chosen === undefined ? master : (replicas[chosen] ?? master);
    return { master, node, readings };
  }

  /** An announced address as the bot reaches it (`redis.natMap`). */
  private reachable(address: string): string {
    return this.env.redis.natMap?.[address] ?? address;
  }

  private replica(address: string): RedisNodePort {
    let h = this.held.get(address);
    if (!h) {
      const url = `${this.options.tls ? 'rediss' : 'redis'}://${address}`;
      h = new HeldNode({ ...this.options, url, readOnly: true }, configBlockedBy(this.env.redis.provider));
      this.held.set(address, h);
    }
    return h.node();
  }
}
