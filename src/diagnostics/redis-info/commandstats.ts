import { z } from 'zod';
import type { RedisNodePort } from '../../core/ports/session-store.js';

/** One `cmdstat_<command>` line of INFO commandstats. */
export interface CommandStat {
  calls: number;
  usec: number;
  /** Redis 7+: calls rejected before running (ACL, OOM, wrong arity); 0 on older servers. */
  rejectedCalls: number;
  /** Redis 7+: calls that ran and returned an error; 0 on older servers. */
  failedCalls: number;
}

/** Calls per command (lower case, e.g. `set`, `expire`, `client|list`), summed over nodes. */
export type CommandCalls = Readonly<Record<string, number>>;

const count = z.coerce.number().int().nonnegative();
const statSchema = z.object({
  calls: count,
  usec: count.default(0),
  rejected_calls: count.default(0),
  failed_calls: count.default(0),
});

/** `calls=10,usec=25,usec_per_call=2.50` -> `{ calls: '10', usec: '25', ... }`. */
function fields(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/**
 * Parses INFO commandstats (already split into key/value pairs by `RedisNodePort.info`). A
 * `cmdstat_` line without a numeric `calls` is a broken reply and throws, naming the node.
 *
 * @example parseCommandStats({ cmdstat_set: 'calls=3,usec=9,usec_per_call=3.00' }, 'redis:6379')
 * // { set: { calls: 3, usec: 9, rejectedCalls: 0, failedCalls: 0 } }
 */
export function parseCommandStats(info: Record<string, string>, address: string): Record<string, CommandStat> {
  const out: Record<string, CommandStat> = {};
  for (const [key, value] of Object.entries(info)) {
    if (!key.startsWith('cmdstat_')) continue;
    const command = key.slice('cmdstat_'.length).toLowerCase();
    const parsed = statSchema.safeParse(fields(value));
    if (!parsed.success) {
      throw new Error(`Redis at ${address} sent an INFO commandstats line that could not be read (${key}:${value}).`);
    }
    out[command] = {
      calls: parsed.data.calls,
      usec: parsed.data.usec,
      rejectedCalls: parsed.data.rejected_calls,
      failedCalls: parsed.data.failed_calls,
    };
  }
  return out;
}

/**
 * Calls per command summed over all nodes (Redis Cluster: every master). The counts run since the
 * server started or since the last CONFIG RESETSTAT.
 */
export async function readCommandCalls(nodes: readonly RedisNodePort[]): Promise<CommandCalls> {
  const perNode = await Promise.all(
    nodes.map(async (node) => parseCommandStats(await node.info('commandstats'), node.address)),
  );
  const sum: Record<string, number> = {};
  for (const stats of perNode) {
    for (const [command, stat] of Object.entries(stats)) sum[command] = (sum[command] ?? 0) + stat.calls;
  }
  return sum;
}

/** Sum of the calls of the named commands (absent commands count 0). */
export function callsOf(calls: CommandCalls, commands: readonly string[]): number {
  return commands.reduce((total, c) => total + (calls[c] ?? 0), 0);
}
