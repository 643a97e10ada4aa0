import { z } from 'zod';
import type { RedisNodePort } from '../../core/ports/session-store.js';
import { bytes, percent } from '../../core/format.js';

/**
 * Below this much free memory under maxmemory (or this share of it), the sampler reads no values:
 * the replies of a GET pipeline sit in the client's output buffer, which counts toward used_memory,
 * so on a full Redis with an allkeys-* policy the diagnosis itself would evict sessions.
 */
export const MIN_HEADROOM_BYTES = 4 * 1024 * 1024;
export const MIN_HEADROOM_RATIO = 0.1;

/** Keys per SCAN and PTTL pipeline, and per GET pipeline, with room and without. */
export const BATCH = { roomy: { scan: 200, values: 100 }, tight: { scan: 50, values: 0 } } as const;

const num = z.coerce.number().nonnegative();
const memorySchema = z.object({
  used_memory: num,
  maxmemory: num,
  mem_fragmentation_ratio: num.optional(),
  mem_clients_normal: num.optional(),
});
const clientsSchema = z.object({ client_recent_max_output_buffer: num.optional() });

/** What one node's INFO memory and INFO clients say about the room the diagnosis's reads may take. */
export interface NodeHeadroom {
  address: string;
  usedMemory: number;
  /** 0: no limit. */
  maxmemory: number;
  /** maxmemory - used_memory, or null with no limit. */
  headroomBytes: number | null;
  fragmentationRatio: number | null;
  /** Memory of the normal clients' buffers (mem_clients_normal), part of used_memory. */
  clientBuffersBytes: number | null;
  /** The largest output buffer of a client lately (client_recent_max_output_buffer). */
  recentMaxOutputBuffer: number | null;
}

/** How the sampler reads one node, decided from its headroom before it sends any SCAN. */
export interface ReadPlan {
  /** Whether session values are read (GET/HGETALL) on this node. */
  values: boolean;
  /** Why values are not read; absent when they are. */
  reason?: string;
  scanCount: number;
  valueBatch: number;
  headroom: NodeHeadroom | null;
}

/** Reads the headroom of one node; null when INFO cannot be read or parsed (the scan then reports the source). */
export async function readHeadroom(node: RedisNodePort): Promise<NodeHeadroom | null> {
  try {
    const [memory, clients] = await Promise.all([node.info('memory'), node.info('clients')]);
    const m = memorySchema.parse(memory);
    const c = clientsSchema.safeParse(clients);
    return {
      address: node.address,
      usedMemory: m.used_memory,
      maxmemory: m.maxmemory,
      headroomBytes: m.maxmemory > 0 ? m.maxmemory - m.used_memory : null,
      fragmentationRatio: m.mem_fragmentation_ratio ?? null,
      clientBuffersBytes: m.mem_clients_normal ?? null,
      recentMaxOutputBuffer: c.success ? (c.data.client_recent_max_output_buffer ?? null) : null,
    };
  } catch {
    return null;
  }
}

/**
 * The read plan for a node: near its maxmemory (less than max(4 MB, 10 %) free) only TTLs, in small
 * batches; otherwise values too, in bounded GET pipelines. Unknown headroom reads values as before.
 */
export function readPlanFor(h: NodeHeadroom | null): ReadPlan {
  if (
    h &&
    h.headroomBytes !== null &&
    h.headroomBytes < Math.max(MIN_HEADROOM_BYTES, h.maxmemory * MIN_HEADROOM_RATIO)
  ) {
    const used = h.maxmemory > 0 ? percent(h.usedMemory / h.maxmemory) : '';
    return {
      values: false,
      reason:
        `session values were not read on ${h.address}: Redis is at ${used} of maxmemory (${bytes(Math.max(0, h.headroomBytes))} ` +
        'free), and the replies of value reads count toward used_memory, so reading them could make ' +
        `Redis evict keys; only TTLs were read, in batches of ${BATCH.tight.scan}`,
      scanCount: BATCH.tight.scan,
      valueBatch: BATCH.tight.values,
      headroom: h,
    };
  }
  return { values: true, scanCount: BATCH.roomy.scan, valueBatch: BATCH.roomy.values, headroom: h };
}
