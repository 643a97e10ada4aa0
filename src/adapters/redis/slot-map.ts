import type { Redis } from 'ioredis';
import { z } from 'zod';
import { textOf } from './replies.js';

/** Redis Cluster has 16384 hash slots. */
export const CLUSTER_SLOTS = 16384;

/** One master's view of the cluster: who serves each slot, and its own slots in migration. */
export interface MasterView {
  /** Node id serving each slot (index = slot), '' for an unserved slot. */
  owners: string[];
  /** Slots this master is migrating out or importing (CLUSTER NODES `[slot->-id]`, `[slot-<-id]`). */
  migrating: number[];
  /** Each node's `host:port` by id, and each master's replica ids: what tells a failover from a slot move. */
  roles: ClusterRoles;
}

/** Who is whose replica, by node id, from CLUSTER NODES. */
export interface ClusterRoles {
  addresses: Map<string, string>;
  replicasOf: Map<string, string[]>;
}

/** A master whose slots are served by its former replica now: a failover, which moves no key. */
export interface SlotFailover {
  /** The demoted master and the promoted replica, as announced. */
  from: string;
  to: string;
  slots: number;
}

/** The cluster's slot map as each master (by address) tells it; a master that does not answer is left out. */
export type SlotMapReading = Map<string, MasterView>;

/** One range of `CLUSTER SLOTS`: start, end, the master (`[host, port, id?, ...]`), then its replicas. */
const slotRangeReply = z
  .tuple([z.unknown(), z.unknown(), z.unknown()])
  .rest(z.unknown())
  .transform(([start, end, master]) => {
    const id = Array.isArray(master) ? String(master[2] ?? `${String(master[0])}:${String(master[1])}`) : '';
    return { start: Number(start), end: Number(end), id };
  });

const slotRange = (entry: unknown): { start: number; end: number; id: string } | undefined => {
  const parsed = slotRangeReply.safeParse(entry);
  return parsed.success ? parsed.data : undefined;
};

/**
 * `CLUSTER NODES` → each node's address and each master's replicas, by id (every replica the node knows;
 * CLUSTER SLOTS leaves a replica out until gossip shows it synced).
 */
export function rolesFromClusterNodes(text: string): ClusterRoles {
  const roles: ClusterRoles = { addresses: new Map(), replicasOf: new Map() };
  for (const [id = '', addr = '', flags = '', master = ''] of text.split('\n').map((l) => l.trim().split(' '))) {
    if (!id || !addr) continue;
    roles.addresses.set(id, addr.split('@')[0] ?? addr);
    if (flags.split(',').includes('slave') && master !== '-')
      roles.replicasOf.set(master, [...(roles.replicasOf.get(master) ?? []), id]);
  }
  return roles;
}

/** Parses `CLUSTER SLOTS` into the owner of every slot. */
export function ownersFromClusterSlots(reply: unknown): string[] {
  const owners = new Array<string>(CLUSTER_SLOTS).fill('');
  if (!Array.isArray(reply)) return owners;
  for (const entry of reply) {
    const r = slotRange(entry);
    if (!r) continue;
    for (let s = Math.max(0, r.start); s <= Math.min(CLUSTER_SLOTS - 1, r.end); s++) owners[s] = r.id;
  }
  return owners;
}

/** The slots in migration on the node that answered `CLUSTER NODES` (its `myself` line). */
export function migratingFromClusterNodes(text: string): number[] {
  const mine = text.split('\n').find((l) => /\bmyself\b/.test(l.split(' ')[2] ?? '')) ?? '';
  return [...mine.matchAll(/\[(\d+)-[<>]-[0-9a-f]+\]/g)].map((m) => Number(m[1]));
}

/**
 * Reads every master's view of the slot map (`CLUSTER SLOTS`, what ioredis itself needs) and, where the
 * ACL allows `CLUSTER NODES`, the slots it is migrating. Read-only; never throws.
 */
export async function readSlotMap(masters: readonly { address: string; client: Redis }[]): Promise<SlotMapReading> {
  const views = await Promise.all(
    masters.map(async ({ address, client }) => {
      try {
        const owners = ownersFromClusterSlots(await client.call('CLUSTER', 'SLOTS'));
        // Refused by an ACL: no migration and no roles known (a failover then reads as slots moved).
        const nodes = await client.call('CLUSTER', 'NODES').then(
          (reply) => textOf(reply, 'CLUSTER NODES'),
          () => '',
        );
        return [
          address,
          { owners, migrating: migratingFromClusterNodes(nodes), roles: rolesFromClusterNodes(nodes) },
        ] as const;
      } catch {
        return undefined;
      }
    }),
  );
  return new Map(views.filter((v): v is NonNullable<typeof v> => v !== undefined));
}

/**
 * Slots whose owner differs between two readings, as any master that answered both times sees it: those now
 * served by a replica of their former owner are failovers (no key moved), the others moved.
 */
export function slotMoves(before: SlotMapReading, after: SlotMapReading): { moved: number; failovers: SlotFailover[] } {
  const moved = new Set<number>();
  const promoted = new Map<string, { from: string; to: string; slots: Set<number> }>();
  for (const [address, b] of before) {
    const a = after.get(address);
    if (!a) continue;
    for (let s = 0; s < CLUSTER_SLOTS; s++) {
      const [was = '', now = ''] = [b.owners[s], a.owners[s]];
      if (was === now) continue;
      if (!was || !now || !b.roles.replicasOf.get(was)?.includes(now)) {
        moved.add(s);
        continue;
      }
      const name = (id: string) => a.roles.addresses.get(id) ?? b.roles.addresses.get(id) ?? id;
      const f = promoted.get(`${was} ${now}`) ?? { from: name(was), to: name(now), slots: new Set<number>() };
      f.slots.add(s);
      promoted.set(`${was} ${now}`, f);
    }
  }
  // A slot one master saw fail over and another saw move counts as moved.
  const failovers = [...promoted.values()]
    .map(({ from, to, slots }) => ({ from, to, slots: [...slots].filter((s) => !moved.has(s)).length }))
    .filter((f) => f.slots > 0);
  return { moved: moved.size, failovers };
}

/** Every slot any master reported in migration, in either reading. */
export function migratingSlots(...readings: SlotMapReading[]): number[] {
  const all = new Set<number>();
  for (const r of readings) for (const v of r.values()) for (const s of v.migrating) all.add(s);
  return [...all].sort((a, b) => a - b);
}
