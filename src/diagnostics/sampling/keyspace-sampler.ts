import { setTimeout as delay } from 'node:timers/promises';
import { DIAGNOSIS_DEFAULTS, type AuditSettings } from '../../config/diagnosis-defaults.js';
import type { EnvironmentConfig } from '../../config/config.js';
import type { KeyName, RedisNodePort, SessionStore } from '../../core/ports/session-store.js';
import type { RunOptions } from '../run-options.js';
import { auditPlanFor, type AuditPlan } from './audit-plan.js';
import { itemAt } from './item-at.js';
import { auditNode, MAX_SAMPLE_KEYS, type NodeAuditPath } from './node-audit.js';
import { keyText } from './key-text.js';
import { maskKey } from './mask-key.js';
import { readHeadroom, readPlanFor, type ReadPlan } from './read-headroom.js';
import { readSessionTimestamps, type SessionTimestamps } from './session-value.js';
import { TtlStats } from './ttl-stats.js';

export const DEFAULT_SAMPLE_SIZE = DIAGNOSIS_DEFAULTS.sampleSize;
/** PTTL pipelines in flight per node: the server works on one while the client parses the other. */
const PIPELINE_DEPTH = 2;

/** A remaining TTL counts as above the configured one beyond max(5 s, 1 %): clock noise, rounding. */
export function aboveTolerance(expectedTtlSeconds: number): number {
  return Math.max(5, expectedTtlSeconds * 0.01);
}

/** One key kept for the checks. */
export interface SampledKey {
  /** The raw key as bytes: a credential, mask it (`maskedKey(key, keyPattern)`) before it goes into evidence or a log. */
  key: KeyName;
  /** Index of the node in the store's `nodes`. */
  node: number;
  /** PTTL in ms, -1 for no expiry (vanished keys are only counted in `stats`). */
  pttlMs: number;
  /** The value's timestamps; present when the value was read (keys with a TTL, within the values budget). */
  value?: SessionTimestamps;
  /** The bot's clock when the value was read: ages count from here. */
  readAtMs?: number;
}

/** What one pass over the keyspace saw. Memory is bounded by the budget, also in a full audit. */
export interface KeyspaceSample {
  mode: 'sample' | 'full';
  /** Every scanned key's PTTL (every key of the store in a full audit), as streaming statistics. */
  stats: TtlStats;
  /** Masked keys without a TTL, at most five. */
  noExpiryKeys: string[];
  /** Keys whose remaining TTL is above the configured TTL + `aboveTolerance`. */
  above: { count: number; maxSeconds: number; keys: string[] };
  /** The kept keys: each node's first `budgets[node]` keys, in SCAN order. */
  keys: readonly SampledKey[];
  /** Keys (and values) budget of each node: the sample size split evenly across the nodes. */
  budgets: readonly number[];
  /** How each node was read (node order): whether values were read, and why not. */
  reads: readonly ReadPlan[];
  /** A full audit: which mode ran, its batches and pacing, and the path each node took. */
  audit?: AuditReport;
}

/** What a full audit says about itself in the report. */
export interface AuditReport extends AuditPlan {
  /** Batches over all nodes (SCAN calls, or script calls). */
  batches: number;
  /** Wall time of the pass, in ms. */
  durationMs: number;
  /** The bot's CPU time (user + system, `process.cpuUsage`) during the pass, in ms: the audit's client cost. */
  cpuMs: number;
  nodes: NodeAuditPath[];
}

/** A key for evidence: its text (binary bytes as `\xHH`), masked. */
export function maskedKey(key: KeyName | string, keyPattern: string): string {
  return maskKey(keyText(key), keyPattern);
}

/**
 * The one keyspace sample of a diagnosis: the first `sample()` scans (SCAN + pipelined PTTL + the
 * values within budget), every later caller shares that promise. Checks read it from their context
 * instead of scanning, so a diagnosis scans the keyspace once.
 */
export interface KeyspaceSampler {
  sample(): Promise<KeyspaceSample>;
}

export interface KeyspaceSamplerOptions {
  nodes: readonly RedisNodePort[];
  keyPattern: string;
  expectedTtlSeconds: number;
  /** Keys (and values) to sample over all nodes (default 1000). */
  sampleSize?: number;
  /** Scan every key; values are still read only within the budget. */
  full?: boolean;
  /** How a full audit reads every key (default: gentle with `defaults.audit`). */
  audit?: AuditPlan;
  /** Waits between the batches of a gentle audit (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (scanned: number, total: number | undefined) => void;
  now: () => number;
  /** Ends the scan early (the diagnosis is over). */
  signal: AbortSignal;
}

/** `size` split across `nodes`: each node gets its share, so a cluster sample is not biased to the fastest node. */
export function splitBudget(size: number, nodes: number): number[] {
  const base = Math.floor(size / Math.max(1, nodes));
  return Array.from({ length: nodes }, (_, i) => base + (i < size % nodes ? 1 : 0));
}

async function totalKeys(nodes: readonly RedisNodePort[]): Promise<number | undefined> {
  try {
    const spaces = await Promise.all(nodes.map((n) => n.keyspace()));
    return spaces.reduce((sum, s) => sum + s.keys, 0);
  } catch {
    // Progress is a nicety; the scan itself reports a broken source.
    return undefined;
  }
}

interface NodeScan {
  node: RedisNodePort;
  plan: ReadPlan;
  index: number;
  budget: number;
  opts: KeyspaceSamplerOptions;
  out: { sample: KeyspaceSample; kept: SampledKey[] };
  aboveMs: number;
  progress: { scanned: number; report: () => void };
  /** Keep the node's first `budget` keys (with values) and count nothing: the audit's counting pass counts. */
  keepOnly?: boolean;
  /** Paced (gentle, or a node without an audit pass): one batch at a time, a pause between batches. */
  pace?: { pauseMs: number; sleep: (ms: number) => Promise<void>; batches: number };
}

/**
 * One batch at a time through the node's `scan` + `pttl` (and its values within the budget), with a
 * pause between batches: at most one small batch is ever queued on the server. The gentle keep pass,
 * and the counting pass of a node without `auditKeyspace`.
 */
async function scanNodeGentle(s: NodeScan, pace: NonNullable<NodeScan['pace']>): Promise<void> {
  const state = { kept: 0 };
  for await (const keys of s.node.scan(s.opts.keyPattern, s.plan.scanCount)) {
    if (s.opts.signal.aborted) break;
    if (pace.batches > 0 && pace.pauseMs > 0) await pace.sleep(pace.pauseMs);
    await processBatch(s, keys, await s.node.pttl(keys), state);
    pace.batches++;
    if (s.keepOnly && state.kept >= s.budget) break;
  }
}

/**
 * Records one batch: statistics for every key (unless `s.keepOnly`: a fast audit counts in its own pass),
 * and the kept keys (with values) within the node's budget.
 */
async function processBatch(s: NodeScan, keys: KeyName[], pttls: number[], state: { kept: number }): Promise<void> {
  const { sample, kept } = s.out;
  const toRead: SampledKey[] = [];
  for (const [i, key] of keys.entries()) {
    // One PTTL reply per key, in order.
    const p = itemAt(pttls, i);
    if (s.keepOnly) {
      if (p === -2 || state.kept >= s.budget) continue;
    } else {
      sample.stats.add(p);
      s.progress.scanned++;
    }
    if (p === -2) continue;
    if (s.keepOnly) {
      // Only the kept keys: the fast pass counts this node's keys, evidence included.
    } else {
      if (p === -1 && sample.noExpiryKeys.length < MAX_SAMPLE_KEYS)
        sample.noExpiryKeys.push(maskedKey(key, s.opts.keyPattern));
      if (p > s.aboveMs) {
        sample.above.count++;
        if (p / 1000 > sample.above.maxSeconds) sample.above.maxSeconds = p / 1000;
        if (sample.above.keys.length < MAX_SAMPLE_KEYS) sample.above.keys.push(maskedKey(key, s.opts.keyPattern));
      }
    }
    if (state.kept < s.budget) {
      state.kept++;
      const k: SampledKey = { key, node: s.index, pttlMs: p };
      kept.push(k);
      if (p >= 0 && s.plan.values) toRead.push(k);
    }
  }
  // Bounded GET pipelines: their replies wait in the client's output buffer, which counts toward used_memory.
  for (let from = 0; from < toRead.length; from += s.plan.valueBatch) {
    const batch = toRead.slice(from, from + s.plan.valueBatch);
    const values = await s.node.readValues(batch.map((k) => k.key));
    const readAtMs = s.opts.now();
    batch.forEach((k, i) => {
      const value = values[i];
      if (value === undefined) return;
      k.value = readSessionTimestamps(value);
      k.readAtMs = readAtMs;
    });
  }
  if (!s.keepOnly) s.progress.report();
}

/**
 * Scans one node: the next SCAN is sent as soon as the previous one returns, together with the PTTL
 * pipeline of that batch, and up to PIPELINE_DEPTH PTTL pipelines stay in flight. All of it travels
 * on the node's one connection, so the server rarely waits for the client.
 */
async function scanNode(s: NodeScan): Promise<void> {
  if (s.pace) return scanNodeGentle(s, s.pace);
  const full = s.opts.full === true && !s.keepOnly;
  const it = s.node.scan(s.opts.keyPattern, s.plan.scanCount)[Symbol.asyncIterator]();
  const inFlight: { keys: KeyName[]; pttls: Promise<number[]> }[] = [];
  const state = { kept: 0 };
  let left = s.budget;
  const drainOne = async (): Promise<void> => {
    const batch = inFlight.shift();
    if (batch) await processBatch(s, batch.keys, await batch.pttls, state);
  };

  let next: Promise<IteratorResult<KeyName[]>> | undefined = left > 0 || full ? it.next() : undefined;
  try {
    while (next) {
      const r: IteratorResult<KeyName[]> = await next;
      next = undefined;
      if (r.done || s.opts.signal.aborted) break;
      let keys = r.value;
      if (!full) {
        if (keys.length > left) keys = keys.slice(0, left);
        left -= keys.length;
      }
      if (full || left > 0) {
        next = it.next();
        // Awaited in turn or in finally; this keeps an early exit from leaving an unhandled rejection.
        next.catch(() => undefined);
      }
      const pttls = s.node.pttl(keys);
      pttls.catch(() => undefined);
      inFlight.push({ keys, pttls });
      if (inFlight.length >= PIPELINE_DEPTH) await drainOne();
    }
    while (inFlight.length) await drainOne();
  } finally {
    if (next) await next.catch(() => undefined);
    await Promise.all(inFlight.map((b) => b.pttls.catch(() => undefined)));
    await it.return?.();
  }
}

async function scanKeyspace(opts: KeyspaceSamplerOptions): Promise<KeyspaceSample> {
  const sampleSize = opts.sampleSize ?? DEFAULT_SAMPLE_SIZE;
  const budgets = splitBudget(sampleSize, opts.nodes.length);
  const tolerance = aboveTolerance(opts.expectedTtlSeconds);
  const sample: KeyspaceSample = {
    mode: opts.full ? 'full' : 'sample',
    stats: new TtlStats({ expectedTtlSeconds: opts.expectedTtlSeconds, aboveToleranceSeconds: tolerance }),
    noExpiryKeys: [],
    above: { count: 0, maxSeconds: 0, keys: [] },
    keys: [],
    budgets,
    reads: [],
  };
  // Headroom first: how much the reads may take is decided before the first SCAN.
  const plans = (await Promise.all(opts.nodes.map(readHeadroom))).map(readPlanFor);
  sample.reads = plans;
  const total = opts.onProgress ? await totalKeys(opts.nodes) : undefined;
  const shownTotal = total === undefined ? undefined : opts.full ? total : Math.min(total, sampleSize);
  const progress = { scanned: 0, report: () => opts.onProgress?.(progress.scanned, shownTotal) };
  const aboveMs = (opts.expectedTtlSeconds + tolerance) * 1000;
  const perNode = opts.nodes.map((): SampledKey[] => []);
  const audit = opts.full ? (opts.audit ?? auditPlanFor(undefined, undefined, DIAGNOSIS_DEFAULTS.audit)) : undefined;
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  const sleep = opts.sleep ?? ((ms: number) => delay(ms));
  const nodeScan = (node: RedisNodePort, index: number, extra: Partial<NodeScan> = {}): NodeScan => {
    // plans, budgets and perNode have one entry per node.
    let plan = itemAt(plans, index);
    // A full audit's batches are its own: never larger than the headroom allows (a node near maxmemory).
    if (audit) {
      const scanCount = plan.values ? audit.scanCount : Math.min(audit.scanCount, plan.scanCount);
      plan = { ...plan, scanCount, valueBatch: Math.min(plan.valueBatch, scanCount) };
    }
    return {
      node,
      plan,
      index,
      budget: itemAt(budgets, index),
      opts,
      out: { sample, kept: itemAt(perNode, index) },
      aboveMs,
      progress,
      ...extra,
    };
  };
  let paths: NodeAuditPath[] = [];
  if (audit) {
    paths = await Promise.all(opts.nodes.map((node, index) => auditNodeFull(nodeScan(node, index), audit, sleep)));
  } else {
    await Promise.all(opts.nodes.map((node, index) => scanNode(nodeScan(node, index))));
  }
  // Node order, then SCAN order: the same sample reads the same way whichever node answered first.
  sample.keys = perNode.flat();
  if (audit) sample.audit = auditReport(audit, paths, startedAt, cpuAtStart);
  return sample;
}

/** The pass's own account: batches over all nodes, its wall time and the bot's CPU during it. */
function auditReport(
  audit: AuditPlan,
  paths: NodeAuditPath[],
  startedAt: number,
  cpuAtStart: NodeJS.CpuUsage,
): AuditReport {
  const batches = paths.reduce((n, p) => n + p.batches, 0);
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  return { ...audit, batches, durationMs: Math.round(performance.now() - startedAt), cpuMs, nodes: paths };
}

/**
 * A full audit of one node, gentle or fast: its first `budget` keys are kept with their values as in a
 * sample (SCAN + PTTL + GET, a few batches), then one pass counts every key with little client work per
 * key (a script per batch inside Redis, else a lean pipeline), paced after each batch when gentle. The
 * first pass counts nothing, so every key is counted exactly once, by the second.
 */
async function auditNodeFull(
  s: NodeScan,
  audit: AuditPlan,
  sleep: (ms: number) => Promise<void>,
): Promise<NodeAuditPath> {
  const paced = audit.pauseMs > 0;
  const pace = { pauseMs: audit.pauseMs, sleep, batches: 0 };
  // Fast: the keep pass runs beside the counting pass, so Redis is not idle while the bot parses the values.
  const keep = scanNode({ ...s, keepOnly: true, ...(paced ? { pace } : {}) });
  if (paced) await keep;
  else keep.catch(() => undefined);
  const tally = {
    stats: s.out.sample.stats,
    noExpiryKeys: s.out.sample.noExpiryKeys,
    above: s.out.sample.above,
    aboveMs: s.aboveMs,
    mask: (key: KeyName) => maskedKey(key, s.opts.keyPattern),
    onKeys: (n: number) => {
      s.progress.scanned += n;
      s.progress.report();
    },
  };
  const pause = paced ? () => sleep(audit.pauseMs) : undefined;
  if (pause && pace.batches > 0) await pause();
  const counting = auditNode(s.node, s.opts.keyPattern, audit, tally, s.opts.signal, pause);
  // Both settle before either's failure is thrown: no read of this node is left running behind the caller.
  await Promise.allSettled([keep, counting]);
  await keep;
  const counted = await counting;
  if (counted) return { ...counted, batches: counted.batches + pace.batches };
  // A node without an audit pass (another port implementation): every key through scan + pttl.
  const all = { ...pace, batches: 0 };
  await scanNode({ ...s, out: { sample: s.out.sample, kept: [] }, budget: 0, pace: all });
  return { address: s.node.address, path: 'pipeline', batches: all.batches + pace.batches };
}

/** Creates the sampler of one diagnosis; nothing is read until a check asks for the sample. */
export function createKeyspaceSampler(opts: KeyspaceSamplerOptions): KeyspaceSampler {
  let scan: Promise<KeyspaceSample> | undefined;
  return {
    sample: () => (scan ??= scanKeyspace(opts)),
  };
}

/** The sampler of one diagnosis of `env`, configured from the run's options (what the engine creates). */
export function keyspaceSamplerFor(opts: {
  store: SessionStore;
  env: Pick<EnvironmentConfig, 'expectedTtlSeconds' | 'redis'>;
  options: Pick<RunOptions, 'sampleSize' | 'full' | 'onProgress' | 'audit'>;
  /** `defaults.audit` of the config (default: the built-in defaults). */
  auditDefaults?: AuditSettings;
  now: () => number;
  signal: AbortSignal;
}): KeyspaceSampler {
  return createKeyspaceSampler({
    // A Sentinel set's replica when the store reads from one: the keys are its copies, the primary is spared.
    nodes: opts.store.readNodes ?? opts.store.nodes,
    keyPattern: opts.env.redis.keyPattern,
    expectedTtlSeconds: opts.env.expectedTtlSeconds,
    ...(opts.options.sampleSize !== undefined ? { sampleSize: opts.options.sampleSize } : {}),
    ...(opts.options.full !== undefined ? { full: opts.options.full } : {}),
    audit: auditPlanFor(opts.options.audit, opts.env.redis.audit, opts.auditDefaults ?? DIAGNOSIS_DEFAULTS.audit),
    ...(opts.options.onProgress ? { onProgress: opts.options.onProgress } : {}),
    now: opts.now,
    signal: opts.signal,
  });
}
