import { DIAGNOSIS_DEFAULTS } from '../../config/diagnosis-defaults.js';
import { defineCheck } from '../define-check.js';
import { memoryEvictions, memoryHighUsage, memoryNoLimit, memoryFindings } from './memory.findings.js';
import { z } from 'zod';
import type { RedisNodePort } from '../../core/ports/session-store.js';
import type { RawFinding } from '../types.js';
import type { EnvironmentConfig } from '../../config/config.js';
import { parseInfoReply } from '../redis-info/info-reply.js';
import { count, decimal, durationMs, percent, redisHumanBytes } from '../../core/format.js';
import { nodeNoun, onNodes } from './node-scope.js';

/** Runbook step 3: memory above this share of maxmemory is high. */
export const HIGH_USAGE_RATIO = 0.9;

const countField = z.coerce.number().int().nonnegative();

/** The INFO memory fields the memory checks rely on; a reply without them is a broken source. */
export const memoryInfoSchema = z.object({
  used_memory: countField,
  used_memory_human: z.string().optional(),
  maxmemory: countField,
  maxmemory_human: z.string().optional(),
  maxmemory_policy: z.string().optional(),
});

const statsInfoSchema = z.object({ evicted_keys: countField });

export interface MemoryReading {
  address: string;
  usedMemory: number;
  usedMemoryHuman: string;
  maxmemory: number;
  maxmemoryHuman: string;
  /** used / maxmemory, or null with no limit. */
  usedRatio: number | null;
  policy: string | undefined;
}

/** Reads INFO memory of one node (also used by the eviction-policy check). */
export async function readMemory(node: RedisNodePort): Promise<MemoryReading> {
  const m = parseInfoReply(memoryInfoSchema, await node.info('memory'), 'memory', node.address);
  return {
    address: node.address,
    usedMemory: m.used_memory,
    usedMemoryHuman: m.used_memory_human ?? redisHumanBytes(m.used_memory),
    maxmemory: m.maxmemory,
    maxmemoryHuman: m.maxmemory_human ?? redisHumanBytes(m.maxmemory),
    usedRatio: m.maxmemory > 0 ? Math.round((m.used_memory / m.maxmemory) * 10000) / 10000 : null,
    policy: m.maxmemory_policy,
  };
}

/** `evicted_keys` of INFO stats: keys evicted since the server started or CONFIG RESETSTAT. */
export async function readEvictedKeys(node: RedisNodePort): Promise<number> {
  return parseInfoReply(statsInfoSchema, await node.info('stats'), 'stats', node.address).evicted_keys;
}

const cmName = (env: EnvironmentConfig) => env.kubernetes?.redisConfigMap ?? 'redis-session-config';
const nsName = (env: EnvironmentConfig) => env.kubernetes?.namespace ?? 'langgraph-agent';

/** The node closest to its limit decides: one full shard loses sessions even when the others are fine. */
function fullest(readings: MemoryReading[]): MemoryReading {
  return readings.reduce((a, b) => ((b.usedRatio ?? -1) > (a.usedRatio ?? -1) ? b : a));
}

/**
 * The least share of `rateWindowMs` that the rate is measured over when the keyspace sample took (almost)
 * the whole window: without it a slow sample would leave no quiet interval to see ongoing evictions in.
 */
export const MIN_QUIET_SHARE = 0.25;

/**
 * Runbook Diagnosis step 3: memory use against maxmemory, and evictions. The eviction rate is
 * measured by reading `evicted_keys` twice: once the keyspace sample is done, and when `rateWindowMs`
 * has passed since the check started (at least a quarter of it later).
 */
export const memoryCheck = defineCheck({
  id: 'memory',
  summary: 'Checks Redis memory use against maxmemory and measures the eviction rate (runbook step 3)',
  needs: ['redis'],
  findings: memoryFindings,
  async run(ctx) {
    const nodes = ctx.redis.nodes;
    const windowMs = ctx.options.rateWindowMs ?? DIAGNOSIS_DEFAULTS.rateWindowMs;
    // Memory and evictions as the app sees them, read before the diagnosis's keyspace sample adds its
    // client buffers. The rate window is counted from here, so the sample (which every check waits for)
    // runs inside it and a diagnosis waits for no window of its own; the rate is measured over the part
    // after the sample, while the bot reads no keys, so it is Redis's own: evictions during the sample
    // are the bot's (at zero headroom any command evicts) and are left out of the totals.
    const t0 = ctx.now();
    const [atStart, readings] = await Promise.all([
      Promise.all(nodes.map(readEvictedKeys)),
      Promise.all(nodes.map(readMemory)),
    ]);
    // A failed sample is ttl-sample's to report.
    await ctx.sampler.sample().catch(() => undefined);
    const before = await Promise.all(nodes.map(readEvictedKeys));
    const t1 = ctx.now();
    const quietMs = Math.max(t0 + windowMs - t1, Math.ceil(windowMs * MIN_QUIET_SHARE));
    await ctx.sleep(quietMs);
    const [after, keyspaces] = await Promise.all([
      Promise.all(nodes.map(readEvictedKeys)),
      Promise.all(nodes.map((node) => node.keyspace())),
    ]);
    // Keys in the store: with `ratePerSecond` it estimates how long a key survives eviction (escalation).
    const keys = keyspaces.reduce((sum, k) => sum + k.keys, 0);
    const elapsedMs = Math.max(ctx.now() - t1, quietMs, 1);
    const evictedDuringSample = before.reduce((sum, v, i) => sum + Math.max(0, v - (atStart[i] as number)), 0);
    const evictedInWindow = after.reduce((sum, v, i) => sum + Math.max(0, v - (before[i] as number)), 0);
    const evictedKeys = atStart.reduce((a, b) => a + b, 0) + evictedInWindow;
    const ratePerSecond = Math.round((evictedInWindow / (elapsedMs / 1000)) * 100) / 100;
    const worst = fullest(readings);
    const memoryEvidence = {
      usedMemory: worst.usedMemory,
      usedMemoryHuman: worst.usedMemoryHuman,
      maxmemory: worst.maxmemory,
      maxmemoryHuman: worst.maxmemoryHuman,
      usedRatio: worst.usedRatio,
      address: worst.address,
      ...(nodes.length > 1
        ? {
            nodes: readings.map((r, i) => ({
              address: r.address,
              usedMemoryHuman: r.usedMemoryHuman,
              maxmemoryHuman: r.maxmemoryHuman,
              usedRatio: r.usedRatio,
              evictedKeys: (atStart[i] as number) + Math.max(0, (after[i] as number) - (before[i] as number)),
              evictedInWindow: Math.max(0, (after[i] as number) - (before[i] as number)),
            })),
          }
        : {}),
    };
    // Which nodes each finding holds on: one full or evicting master must not be averaged away.
    const noun = nodeNoun(ctx.redis);
    const high = readings.filter((r) => r.usedRatio !== null && r.usedRatio > HIGH_USAGE_RATIO).map((r) => r.address);
    const evicting = readings.filter((_, i) => (after[i] as number) - (before[i] as number) > 0).map((r) => r.address);
    const evicted = readings
      .filter((_, i) => (atStart[i] as number) + Math.max(0, (after[i] as number) - (before[i] as number)) > 0)
      .map((r) => r.address);
    const onWorst = nodes.length > 1 ? ` on ${worst.address}` : '';
    const findings: RawFinding[] = [];

    if (worst.usedRatio !== null && worst.usedRatio > HIGH_USAGE_RATIO) {
      const evicting = evictedKeys > 0;
      findings.push({
        id: memoryHighUsage.id,
        severity: evicting ? 'critical' : 'warning',
        title: `Redis memory at ${percent(worst.usedRatio)} of maxmemory${onWorst} (${worst.usedMemoryHuman} of ${worst.maxmemoryHuman})${nodes.length > 1 ? `; above ${percent(HIGH_USAGE_RATIO)}${onNodes(high, nodes.length, noun)}` : ''}`,
        detail: evicting
          ? `Memory is above ${percent(HIGH_USAGE_RATIO)} and Redis has evicted ${count(evictedKeys)} keys: sessions are being removed before their TTL.`
          : `Memory is above ${percent(HIGH_USAGE_RATIO)} of maxmemory; once it is full Redis evicts keys ` +
            '(sessions vanish before their TTL) or rejects writes, depending on maxmemory-policy.',
        evidence: {
          ...memoryEvidence,
          evictedKeys,
          evictedInWindow,
          ratePerSecond,
          ...(nodes.length > 1 ? { highNodes: high } : {}),
        },
        fix:
          'Increase maxmemory (see the redis-memory.md runbook) or reduce what is stored: the ' +
          'set-maxmemory action changes only that directive, live and in the ConfigMap; by hand, change ' +
          `only the maxmemory line in the redis.conf key of the ${cmName(ctx.env)} ConfigMap (kubectl ` +
          `edit configmap ${cmName(ctx.env)} -n ${nsName(ctx.env)}) and apply it live with redis-cli ` +
          'CONFIG SET maxmemory <size>.',
      });
    }

    if (evictedKeys > 0) {
      const ongoing = evictedInWindow > 0;
      findings.push({
        id: memoryEvictions.id,
        severity: ongoing ? 'critical' : 'warning',
        title: ongoing
          ? `Redis is evicting keys now${onNodes(evicting, nodes.length, noun)}: ${count(evictedInWindow)} ` +
            `in ${durationMs(elapsedMs)} (${decimal(ratePerSecond, 2)}/s, ${count(evictedKeys)} in total)`
          : `Redis has evicted ${count(evictedKeys)} keys since its start${onNodes(evicted, nodes.length, noun)} ` +
            `(none during a ${durationMs(elapsedMs)} window)`,
        detail: ongoing
          ? 'Keys are being evicted under memory pressure right now (measured over the ' +
            `${durationMs(elapsedMs)} after the keyspace sample, while the bot read no keys); with a policy ` +
            'that can pick session keys, sessions disappear before their TTL (runbook Scenario 1).'
          : 'Evictions happened earlier (evicted_keys counts since the last restart or CONFIG RESETSTAT) ' +
            'but none during the measurement window; sessions may have been lost then.',
        evidence: {
          ...memoryEvidence,
          evictedKeys,
          evictedInWindow,
          ratePerSecond,
          windowMs: elapsedMs,
          keys,
          windowAfterSample: true,
          evictedDuringSample,
          ...(nodes.length > 1 ? { evictingNodes: ongoing ? evicting : evicted } : {}),
        },
        fix:
          'Give Redis more memory (the set-maxmemory action, see redis-memory.md) or set maxmemory-policy ' +
          'volatile-lru so that only keys with a TTL are evicted (the set-eviction-policy action); each ' +
          `changes one directive, live and in the ${cmName(ctx.env)} ConfigMap (runbook Scenario 1).`,
      });
    }

    if (readings.some((r) => r.maxmemory === 0)) {
      const unlimited = readings.filter((r) => r.maxmemory === 0);
      findings.push({
        id: memoryNoLimit.id,
        severity: 'info',
        title: `No maxmemory limit set${onNodes(
          unlimited.map((r) => r.address),
          nodes.length,
          noun,
        )} (${unlimited[0]?.usedMemoryHuman} used${nodes.length > 1 ? ` on ${unlimited[0]?.address}` : ''})`,
        detail:
          'maxmemory is 0: Redis never evicts and grows until the container hits its memory limit and is OOM-killed, which loses every session at once.',
        evidence: {
          usedMemory: unlimited[0]?.usedMemory,
          usedMemoryHuman: unlimited[0]?.usedMemoryHuman,
          maxmemory: 0,
          maxmemoryHuman: unlimited[0]?.maxmemoryHuman,
          usedRatio: null,
          addresses: unlimited.map((r) => r.address),
        },
        fix:
          'Set maxmemory below the container memory limit, with maxmemory-policy volatile-lru: the ' +
          'set-maxmemory and set-eviction-policy actions, or those two lines in the redis.conf key of the ' +
          `${cmName(ctx.env)} ConfigMap (add them, leave the other lines as they are), then restart Redis.`,
      });
    }
    return findings;
  },
});
