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
        const migrating = await client.call('CLUSTER', 'NODES').then(
          (reply) => migratingFromClusterNodes(textOf(reply, 'CLUSTER NODES')),
          () => [],
        );
        return [address, { owners, migrating }] as const;
      } catch {
        return undefined;
      }
    }),
  );
  return new Map(views.filter((v): v is NonNullable<typeof v> => v !== undefined));
}

/** Slots whose owner differs between two readings, as any master that answered both times sees it. */
export function movedSlots(before: SlotMapReading, after: SlotMapReading): number {
  const moved = new Set<number>();
  for (const [address, b] of before) {
    const a = after.get(address);
    if (!a) continue;
    for (let s = 0; s < CLUSTER_SLOTS; s++) if (b.owners[s] !== a.owners[s]) moved.add(s);
  }
  return moved.size;
}

/** Every slot any master reported in migration, in either reading. */
export function migratingSlots(...readings: SlotMapReading[]): number[] {
  const all = new Set<number>();
  for (const r of readings) for (const v of r.values()) for (const s of v.migrating) all.add(s);
  return [...all].sort((a, b) => a - b);
}
