import { DIAGNOSIS_DEFAULTS } from '../../config/diagnosis-defaults.js';
import { defineCheck } from '../define-check.js';
import { memoryEvictions, memoryHighUsage, memoryNoLimit, memoryFindings } from './memory.findings.js';
import { z } from 'zod';
import type { RedisNodePort } from '../../core/ports/session-store.js';
import type { CheckContext, RawFinding } from '../types.js';
import type { EnvironmentConfig } from '../../config/config.js';
import { parseInfoReply } from '../redis-info/info-reply.js';
import { count, decimal, durationMs, percent, redisHumanBytes } from '../../core/format.js';
import { nodeNoun, onNodes } from './node-scope.js';
import { harmEvidence, harmSentence, harmSeverity, type Harm } from '../harm.js';

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

const statsInfoSchema = z.object({ evicted_keys: countField, expired_keys: countField.optional() });

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
  return (await readKeyEnds(node)).evicted;
}

/** How keys ended since the server started or CONFIG RESETSTAT: `evicted_keys` and `expired_keys` (one INFO stats). */
async function readKeyEnds(node: RedisNodePort): Promise<{ evicted: number; expired: number }> {
  const stats = parseInfoReply(statsInfoSchema, await node.info('stats'), 'stats', node.address);
  return { evicted: stats.evicted_keys, expired: stats.expired_keys ?? 0 };
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

/** One node's memory and its `evicted_keys` at the check's start, after the keyspace sample, and at the end. */
interface NodeMemory extends MemoryReading {
  port: RedisNodePort;
  atStart: number;
  before: number;
  after: number;
  /** `expired_keys` after the sample and at the end: how many keys ended by their TTL in the same window. */
  expiredBefore: number;
  expiredAfter: number;
}

/** What the memory check measured over its window. */
interface MemoryMeasurement {
  nodes: NodeMemory[];
  /** How long the quiet part of the window (after the sample) lasted. */
  elapsedMs: number;
  /** Keys in the store: with `ratePerSecond` it estimates how long a key survives eviction (escalation). */
  keys: number;
  evictedDuringSample: number;
  evictedInWindow: number;
  /** Keys that expired in the same window: with the evictions, how keys end now. */
  expiredInWindow: number;
  /** Since the start (or CONFIG RESETSTAT), without the evictions during the sample. */
  evictedKeys: number;
  ratePerSecond: number;
  /** The node closest to its limit. */
  worst: MemoryReading;
}

const inWindow = (n: NodeMemory) => Math.max(0, n.after - n.before);
const evictedOn = (n: NodeMemory) => n.atStart + inWindow(n);
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Memory and evictions as the app sees them, read before the diagnosis's keyspace sample adds its client
 * buffers. The rate window is counted from here, so the sample (which every check waits for) runs inside it
 * and a diagnosis waits for no window of its own; the rate is measured over the part after the sample, while
 * the bot reads no keys, so it is Redis's own: evictions during the sample are the bot's (at zero headroom
 * any command evicts) and are left out of the totals.
 */
async function measureMemory(ctx: CheckContext<'redis'>): Promise<MemoryMeasurement> {
  const windowMs = ctx.options.rateWindowMs ?? DIAGNOSIS_DEFAULTS.rateWindowMs;
  const t0 = ctx.now();
  const nodes: NodeMemory[] = await Promise.all(
    ctx.redis.nodes.map(async (node) => {
      const [atStart, reading] = await Promise.all([readEvictedKeys(node), readMemory(node)]);
      return { ...reading, port: node, atStart, before: 0, after: 0, expiredBefore: 0, expiredAfter: 0 };
    }),
  );
  // A failed sample is ttl-sample's to report.
  await ctx.sampler.sample().catch(() => undefined);
  await Promise.all(
    nodes.map(async (n) => {
      const ends = await readKeyEnds(n.port);
      n.before = ends.evicted;
      n.expiredBefore = ends.expired;
    }),
  );
  const t1 = ctx.now();
  const quietMs = Math.max(t0 + windowMs - t1, Math.ceil(windowMs * MIN_QUIET_SHARE));
  await ctx.sleep(quietMs);
  const [, keyspaces] = await Promise.all([
    Promise.all(
      nodes.map(async (n) => {
        const ends = await readKeyEnds(n.port);
        n.after = ends.evicted;
        n.expiredAfter = ends.expired;
      }),
    ),
    Promise.all(nodes.map((n) => n.port.keyspace())),
  ]);
  const elapsedMs = Math.max(ctx.now() - t1, quietMs, 1);
  const evictedInWindow = sum(nodes.map(inWindow));
  return {
    nodes,
    elapsedMs,
    keys: sum(keyspaces.map((k) => k.keys)),
    evictedDuringSample: sum(nodes.map((n) => Math.max(0, n.before - n.atStart))),
    evictedInWindow,
    expiredInWindow: sum(nodes.map((n) => Math.max(0, n.expiredAfter - n.expiredBefore))),
    evictedKeys: sum(nodes.map((n) => n.atStart)) + evictedInWindow,
    ratePerSecond: Math.round((evictedInWindow / (elapsedMs / 1000)) * 100) / 100,
    worst: fullest(nodes),
  };
}

/** The evidence every memory finding shares: the fullest node, and each node on a cluster. */
function memoryEvidence(m: MemoryMeasurement) {
  const { worst } = m;
  return {
    usedMemory: worst.usedMemory,
    usedMemoryHuman: worst.usedMemoryHuman,
    maxmemory: worst.maxmemory,
    maxmemoryHuman: worst.maxmemoryHuman,
    usedRatio: worst.usedRatio,
    address: worst.address,
    ...(m.nodes.length > 1
      ? {
          nodes: m.nodes.map((n) => ({
            address: n.address,
            usedMemoryHuman: n.usedMemoryHuman,
            maxmemoryHuman: n.maxmemoryHuman,
            usedRatio: n.usedRatio,
            evictedKeys: evictedOn(n),
            evictedInWindow: inWindow(n),
          })),
        }
      : {}),
    evictedKeys: m.evictedKeys,
    evictedInWindow: m.evictedInWindow,
    ratePerSecond: m.ratePerSecond,
  };
}

function highUsageFinding(m: MemoryMeasurement, ctx: CheckContext<'redis'>, usedRatio: number): RawFinding {
  const { worst, nodes } = m;
  // Which nodes each finding holds on: one full or evicting master must not be averaged away.
  const high = nodes.filter((r) => r.usedRatio !== null && r.usedRatio > HIGH_USAGE_RATIO).map((r) => r.address);
  const onWorst = nodes.length > 1 ? ` on ${worst.address}` : '';
  const where =
    nodes.length > 1 ? `; above ${percent(HIGH_USAGE_RATIO)}${onNodes(high, nodes.length, nodeNoun(ctx.redis))}` : '';
  const evicting = m.evictedKeys > 0;
  return {
    id: memoryHighUsage.id,
    severity: evicting ? 'critical' : 'warning',
    title:
      `Redis memory at ${percent(usedRatio)} of maxmemory${onWorst} ` +
      `(${worst.usedMemoryHuman} of ${worst.maxmemoryHuman})${where}`,
    detail: evicting
      ? `Memory is above ${percent(HIGH_USAGE_RATIO)} and Redis has evicted ${count(m.evictedKeys)} keys: ` +
        'sessions are being removed before their TTL.'
      : `Memory is above ${percent(HIGH_USAGE_RATIO)} of maxmemory; once it is full Redis evicts keys ` +
        '(sessions vanish before their TTL) or rejects writes, depending on maxmemory-policy.',
    evidence: { ...memoryEvidence(m), ...(nodes.length > 1 ? { highNodes: high } : {}) },
    fix:
      'Increase maxmemory (see the redis-memory.md runbook) or reduce what is stored: the ' +
      'set-maxmemory action changes only that directive, live and in the ConfigMap; by hand, change ' +
      `only the maxmemory line in the redis.conf key of the ${cmName(ctx.env)} ConfigMap (kubectl ` +
      `edit configmap ${cmName(ctx.env)} -n ${nsName(ctx.env)}) and apply it live with redis-cli ` +
      'CONFIG SET maxmemory <size>.',
  };
}

/**
 * The harm of evictions going on now. Keys end now by eviction or by expiry: the evictions' share of those
 * ends is the share of sessions cut short, and with every key leaving at that pace a key lives about
 * keys / (evicted + expired per second) (Little's law), against the expected TTL. Undefined when nothing was
 * evicted in the window: past evictions say nothing about how long sessions live now.
 */
export function evictionHarm(
  m: { evictedInWindow: number; expiredInWindow: number; elapsedMs: number; keys: number },
  expectedTtlSeconds: number,
): Harm | undefined {
  if (m.evictedInWindow <= 0) return undefined;
  const ended = m.evictedInWindow + m.expiredInWindow;
  const lifetimeSeconds = m.keys / (ended / (m.elapsedMs / 1000));
  return { share: m.evictedInWindow / ended, lifetimeRatio: Math.min(1, lifetimeSeconds / expectedTtlSeconds) };
}

function evictionsFinding(m: MemoryMeasurement, ctx: CheckContext<'redis'>): RawFinding {
  const { nodes, elapsedMs } = m;
  const noun = nodeNoun(ctx.redis);
  const evicting = nodes.filter((n) => n.after - n.before > 0).map((n) => n.address);
  const evicted = nodes.filter((n) => evictedOn(n) > 0).map((n) => n.address);
  const ongoing = m.evictedInWindow > 0;
  const harm = evictionHarm(m, ctx.env.expectedTtlSeconds);
  return {
    id: memoryEvictions.id,
    severity: harm ? harmSeverity(harm) : 'warning',
    title: ongoing
      ? `Redis is evicting keys now${onNodes(evicting, nodes.length, noun)}: ${count(m.evictedInWindow)} ` +
        `in ${durationMs(elapsedMs)} (${decimal(m.ratePerSecond, 2)}/s, ${count(m.evictedKeys)} in total)`
      : `Redis has evicted ${count(m.evictedKeys)} keys since its start${onNodes(evicted, nodes.length, noun)} ` +
        `(none during a ${durationMs(elapsedMs)} window)`,
    detail: ongoing
      ? 'Keys are being evicted under memory pressure right now (measured over the ' +
        `${durationMs(elapsedMs)} after the keyspace sample, while the bot read no keys); with a policy ` +
        `that can pick session keys, sessions disappear before their TTL (runbook Scenario 1). ` +
        `${count(m.expiredInWindow)} keys expired in the same window. ${harm ? harmSentence(harm) : ''}`
      : 'Evictions happened earlier (evicted_keys counts since the last restart or CONFIG RESETSTAT) ' +
        'but none during the measurement window; sessions may have been lost then.',
    evidence: {
      ...memoryEvidence(m),
      windowMs: elapsedMs,
      keys: m.keys,
      windowAfterSample: true,
      evictedDuringSample: m.evictedDuringSample,
      expiredInWindow: m.expiredInWindow,
      ...(harm ? { harm: harmEvidence(harm) } : {}),
      ...(nodes.length > 1 ? { evictingNodes: ongoing ? evicting : evicted } : {}),
    },
    fix:
      'Give Redis more memory (the set-maxmemory action, see redis-memory.md) or set maxmemory-policy ' +
      'volatile-lru so that only keys with a TTL are evicted (the set-eviction-policy action); each ' +
      `changes one directive, live and in the ${cmName(ctx.env)} ConfigMap (runbook Scenario 1).`,
  };
}

function noLimitFinding(m: MemoryMeasurement, ctx: CheckContext<'redis'>, unlimited: MemoryReading[]): RawFinding {
  const first = unlimited[0];
  const total = m.nodes.length;
  const where = onNodes(
    unlimited.map((r) => r.address),
    total,
    nodeNoun(ctx.redis),
  );
  return {
    id: memoryNoLimit.id,
    severity: 'info',
    title: `No maxmemory limit set${where} (${first?.usedMemoryHuman} used${total > 1 ? ` on ${first?.address}` : ''})`,
    detail:
      'maxmemory is 0: Redis never evicts and grows until the container hits its memory limit and is ' +
      'OOM-killed, which loses every session at once.',
    evidence: {
      usedMemory: first?.usedMemory,
      usedMemoryHuman: first?.usedMemoryHuman,
      maxmemory: 0,
      maxmemoryHuman: first?.maxmemoryHuman,
      usedRatio: null,
      addresses: unlimited.map((r) => r.address),
    },
    fix:
      'Set maxmemory below the container memory limit, with maxmemory-policy volatile-lru: the ' +
      'set-maxmemory and set-eviction-policy actions, or those two lines in the redis.conf key of the ' +
      `${cmName(ctx.env)} ConfigMap (add them, leave the other lines as they are), then restart Redis.`,
  };
}

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
    const m = await measureMemory(ctx);
    const usedRatio = m.worst.usedRatio;
    const unlimited = m.nodes.filter((r) => r.maxmemory === 0);
    return [
      ...(usedRatio !== null && usedRatio > HIGH_USAGE_RATIO ? [highUsageFinding(m, ctx, usedRatio)] : []),
      ...(m.evictedKeys > 0 ? [evictionsFinding(m, ctx)] : []),
      ...(unlimited.length ? [noLimitFinding(m, ctx, unlimited)] : []),
    ];
  },
});
