import { noteManagedConfig } from './managed-config-note.js';
import { defineCheck } from '../define-check.js';
import { delayedFsync, frequentRewrites, lastRewriteFailed, rewriteInProgress, aofFindings } from './aof.findings.js';
import { z } from 'zod';
import { ConfigNotAllowedError, type RedisNodePort } from '../../core/ports/session-store.js';
import type { EnvironmentConfig } from '../../config/config.js';
import type { RawFinding, Severity } from '../types.js';
import { parseInfoReply } from '../redis-info/info-reply.js';
import { bytes, count, decimal, duration } from '../../core/format.js';
import { nodeNoun, onNodes } from './node-scope.js';

/** The runbook's Scenario 7 settings. */
export const RECOMMENDED_REWRITE_PERCENTAGE = 100;
export const RECOMMENDED_REWRITE_MIN_SIZE = 128 * 1024 * 1024;
/**
 * Redis's own default min-size (64mb). A session store is small and written constantly (every refresh
 * appends to the AOF), so its min-size, not the percentage, usually decides how often it rewrites; a
 * min-size lowered below the default makes rewrites frequent.
 */
export const LOW_REWRITE_MIN_SIZE = 64 * 1024 * 1024;
/** Observed rewrites count as frequent from this many, at this rate or faster. */
export const FREQUENT_MIN_REWRITES = 3;
export const FREQUENT_REWRITES_PER_HOUR = 6;

const countField = z.coerce.number().int().nonnegative();
const seconds = z.coerce.number().int().min(-1);
const status = z.string().min(1);

/** INFO persistence fields the check relies on; the size and fsync fields exist only while AOF is on. */
const persistenceSchema = z.object({
  aof_enabled: z.enum(['0', '1']),
  aof_rewrite_in_progress: countField,
  aof_rewrite_scheduled: countField,
  aof_last_rewrite_time_sec: seconds,
  aof_current_rewrite_time_sec: seconds,
  aof_last_bgrewrite_status: status,
  aof_last_write_status: status.optional(),
  /** Redis 7+. */
  aof_rewrites: countField.optional(),
  aof_rewrites_consecutive_failures: countField.optional(),
  aof_current_size: countField.optional(),
  aof_base_size: countField.optional(),
  aof_pending_bio_fsync: countField.optional(),
  aof_delayed_fsync: countField.optional(),
});

const serverSchema = z.object({ uptime_in_seconds: countField });
const memorySchema = z.object({ used_memory: countField, used_memory_human: z.string().optional() });

export interface AofSettings {
  /** False when the server refuses CONFIG (managed Redis); the settings are then null. */
  configAllowed: boolean;
  rewritePercentage: number | null;
  rewriteMinSizeBytes: number | null;
  appendfsync: string | null;
}

/** What one node says about its AOF. */
export interface AofReading {
  address: string;
  enabled: boolean;
  rewriteInProgress: boolean;
  rewriteScheduled: boolean;
  currentRewriteSeconds: number;
  lastRewriteSeconds: number;
  lastBgrewriteStatus: string;
  lastWriteStatus: string | null;
  rewrites: number | null;
  consecutiveFailures: number | null;
  currentSizeBytes: number | null;
  baseSizeBytes: number | null;
  pendingBioFsync: number | null;
  delayedFsync: number;
  uptimeSeconds: number;
  usedMemoryBytes: number;
  settings: AofSettings;
}

async function readSettings(node: RedisNodePort): Promise<AofSettings> {
  try {
    const [percentage, minSize, appendfsync] = await Promise.all([
      node.configGet('auto-aof-rewrite-percentage'),
      node.configGet('auto-aof-rewrite-min-size'),
      node.configGet('appendfsync'),
    ]);
    const num = (v: string | undefined) => {
      const parsed = countField.safeParse(v);
      return parsed.success ? parsed.data : null;
    };
    return {
      configAllowed: true,
      rewritePercentage: num(percentage),
      rewriteMinSizeBytes: num(minSize),
      appendfsync: appendfsync ?? null,
    };
  } catch (err) {
    if (!(err instanceof ConfigNotAllowedError)) throw err;
    return { configAllowed: false, rewritePercentage: null, rewriteMinSizeBytes: null, appendfsync: null };
  }
}

/** Reads INFO persistence of one node, and with AOF on also its rewrite settings, uptime and memory. */
export async function readAof(node: RedisNodePort): Promise<AofReading> {
  const p = parseInfoReply(persistenceSchema, await node.info('persistence'), 'persistence', node.address);
  const enabled = p.aof_enabled === '1';
  const off: AofSettings = {
    configAllowed: true,
    rewritePercentage: null,
    rewriteMinSizeBytes: null,
    appendfsync: null,
  };
  // With AOF off nothing else is needed: no CONFIG call that a managed Redis might refuse.
  const [settings, server, memory] = enabled
    ? await Promise.all([
        readSettings(node),
        node.info('server').then((i) => parseInfoReply(serverSchema, i, 'server', node.address)),
        node.info('memory').then((i) => parseInfoReply(memorySchema, i, 'memory', node.address)),
      ])
    : [off, { uptime_in_seconds: 0 }, { used_memory: 0 }];
  return {
    address: node.address,
    enabled,
    rewriteInProgress: p.aof_rewrite_in_progress > 0,
    rewriteScheduled: p.aof_rewrite_scheduled > 0,
    currentRewriteSeconds: p.aof_current_rewrite_time_sec,
    lastRewriteSeconds: p.aof_last_rewrite_time_sec,
    lastBgrewriteStatus: p.aof_last_bgrewrite_status,
    lastWriteStatus: p.aof_last_write_status ?? null,
    rewrites: p.aof_rewrites ?? null,
    consecutiveFailures: p.aof_rewrites_consecutive_failures ?? null,
    currentSizeBytes: p.aof_current_size ?? null,
    baseSizeBytes: p.aof_base_size ?? null,
    pendingBioFsync: p.aof_pending_bio_fsync ?? null,
    delayedFsync: p.aof_delayed_fsync ?? 0,
    uptimeSeconds: server.uptime_in_seconds,
    usedMemoryBytes: memory.used_memory,
    settings,
  };
}

/** Runbook objects, from the environment's Kubernetes section when it has one. */
function redisObjects(env: EnvironmentConfig): { namespace: string; selector: string; configMap: string } {
  return {
    namespace: env.kubernetes?.namespace ?? 'langgraph-agent',
    selector: env.kubernetes?.redisSelector ?? 'app=redis-session',
    configMap: env.kubernetes?.redisConfigMap ?? 'redis-session-config',
  };
}

function logsStep(env: EnvironmentConfig): string {
  const o = redisObjects(env);
  return `kubectl logs -n ${o.namespace} -l ${o.selector} --tail=100 | grep -i AOF`;
}

function tuneStep(env: EnvironmentConfig): string {
  const o = redisObjects(env);
  return (
    'use the tune-aof action, which changes only these two directives, or change only the ' +
    `auto-aof-rewrite-percentage line to ${RECOMMENDED_REWRITE_PERCENTAGE} and the ` +
    'auto-aof-rewrite-min-size line to 128mb ' +
    `in the redis.conf key of the ${o.configMap} ConfigMap (kubectl edit configmap ${o.configMap} ` +
    `-n ${o.namespace}; add them if missing and leave every other line as it is), ` +
    'and apply them live with redis-cli CONFIG SET auto-aof-rewrite-percentage ' +
    `${RECOMMENDED_REWRITE_PERCENTAGE} and CONFIG SET auto-aof-rewrite-min-size 128mb (no restart ` +
    'needed)'
  );
}

/** Evidence fields every AOF finding carries, plus the per-node list on a cluster. */
function baseEvidence(r: AofReading, all: AofReading[]): Record<string, unknown> {
  return {
    address: r.address,
    aofCurrentSizeBytes: r.currentSizeBytes,
    aofBaseSizeBytes: r.baseSizeBytes,
    rewrites: r.rewrites,
    lastRewriteSeconds: r.lastRewriteSeconds,
    ...(all.length > 1
      ? {
          nodes: all.map((x) => ({
            address: x.address,
            enabled: x.enabled,
            rewrites: x.rewrites,
            lastBgrewriteStatus: x.lastBgrewriteStatus,
            delayedFsync: x.delayedFsync,
            rewritePercentage: x.settings.rewritePercentage,
            rewriteMinSizeBytes: x.settings.rewriteMinSizeBytes,
          })),
        }
      : {}),
  };
}

function failedFinding(
  failed: AofReading[],
  all: AofReading[],
  env: EnvironmentConfig,
  noun: string,
): RawFinding | undefined {
  const [firstFailed] = failed;
  if (!firstFailed) return undefined;
  const writeFailed = failed.filter((r) => r.lastWriteStatus === 'err');
  const r = writeFailed[0] ?? firstFailed;
  // A failed write makes Redis refuse every write (MISCONF): no session can be created or refreshed.
  // A failed rewrite alone leaves Redis serving while the AOF grows and the rewrite is retried.
  const severity: Severity = writeFailed.length ? 'critical' : 'warning';
  const consecutive = r.consecutiveFailures ? ` (${count(r.consecutiveFailures)} consecutive failures)` : '';
  const where = onNodes(
    failed.map((x) => x.address),
    all.length,
    noun,
  );
  return {
    id: lastRewriteFailed.id,
    severity,
    title: writeFailed.length
      ? `Redis cannot write its AOF${where} (aof_last_write_status:err): writes are refused`
      : `The last AOF rewrite failed${where} (aof_last_bgrewrite_status:err)`,
    detail: writeFailed.length
      ? 'The last write to the append-only file failed (disk full, read-only or missing volume). Redis ' +
        'now refuses writes with a MISCONF error, so sessions can be neither created nor refreshed ' +
        '(EXPIRE), and the app sees failures it may treat as missing sessions.'
      : `The last background AOF rewrite failed${consecutive}. Redis keeps serving and retries, but the AOF ` +
        'keeps growing and every retry forks again under load; if the cause is the disk, writes fail next ' +
        '(runbook Scenario 7).',
    evidence: {
      lastBgrewriteStatus: r.lastBgrewriteStatus,
      lastWriteStatus: r.lastWriteStatus,
      consecutiveFailures: r.consecutiveFailures,
      ...baseEvidence(r, all),
      ...(all.length > 1 ? { failedNodes: failed.map((x) => x.address) } : {}),
    },
    fix:
      `Find the cause in the Redis logs: ${logsStep(env)} (disk full, volume permissions, missing ` +
      'directory); free or grow the volume, then run BGREWRITEAOF and check that ' +
      'aof_last_bgrewrite_status and aof_last_write_status are ok.',
  };
}

function inProgressFinding(
  busy: AofReading[],
  all: AofReading[],
  env: EnvironmentConfig,
  noun: string,
): RawFinding | undefined {
  const [firstBusy] = busy;
  if (!firstBusy) return undefined;
  const r = busy.find((x) => x.rewriteInProgress) ?? firstBusy;
  const running = r.rewriteInProgress;
  const where = onNodes(
    busy.map((x) => x.address),
    all.length,
    noun,
  );
  return {
    id: rewriteInProgress.id,
    severity: 'warning',
    title: running
      ? `An AOF rewrite is running${where} (for ${duration(Math.max(0, r.currentRewriteSeconds))})`
      : `An AOF rewrite is scheduled${where} (waiting for another background save to finish)`,
    detail:
      'An AOF rewrite forks Redis and writes the whole dataset to disk. During high load the fork and ' +
      'the disk writes add latency, so session reads and refreshes can time out and the app may treat ' +
      'the session as missing (runbook Scenario 7). A single rewrite is normal; if it coincides with ' +
      'the alert, or rewrites are frequent, tune the rewrite settings.',
    evidence: {
      rewriteInProgress: r.rewriteInProgress,
      rewriteScheduled: r.rewriteScheduled,
      currentRewriteSeconds: r.currentRewriteSeconds,
      ...baseEvidence(r, all),
      ...(all.length > 1 ? { busyNodes: busy.map((x) => x.address) } : {}),
    },
    fix: `Check the Redis logs for AOF activity (${logsStep(env)}); if rewrites line up with the alert, ${tuneStep(env)}.`,
  };
}

function delayedFsyncFinding(delayed: AofReading[], all: AofReading[], noun: string): RawFinding | undefined {
  if (!delayed.length) return undefined;
  const total = delayed.reduce((sum, r) => sum + r.delayedFsync, 0);
  const r = delayed.reduce((a, b) => (b.delayedFsync > a.delayedFsync ? b : a));
  return {
    id: delayedFsync.id,
    severity: 'warning',
    title: `Redis delayed ${count(total)} AOF fsync${total === 1 ? '' : 's'}${onNodes(
      delayed.map((x) => x.address),
      all.length,
      noun,
    )}: the disk cannot keep up`,
    detail:
      'aof_delayed_fsync counts the times Redis held back its AOF writes because the previous fsync ' +
      'was still running after 2 s (appendfsync everysec). Meanwhile clients wait, so session ' +
      'commands time out under load; an AOF rewrite on the same disk makes it worse (runbook Scenario ' +
      "7). The count runs since the server's start or the last CONFIG RESETSTAT.",
    evidence: {
      delayedFsync: total,
      appendfsync: r.settings.appendfsync,
      pendingBioFsync: r.pendingBioFsync,
      ...baseEvidence(r, all),
      ...(all.length > 1
        ? { perNode: delayed.map((x) => ({ address: x.address, delayedFsync: x.delayedFsync })) }
        : {}),
    },
    fix:
      'Give Redis a faster volume (or one not shared with other I/O), avoid rewrites during peak load ' +
      'by raising auto-aof-rewrite-min-size (runbook: 128mb, auto-aof-rewrite-percentage 100), and ' +
      'consider no-appendfsync-on-rewrite yes if losing up to 30 s of writes on a crash is acceptable ' +
      'for sessions.',
  };
}

interface FrequentRewrites {
  reading: AofReading;
  reasons: string[];
  observed: boolean;
  ratePerHour: number | null;
  /** AOF growth, in bytes, between two automatic rewrites under the current settings. */
  rewriteEveryBytes: number | null;
}

/**
 * How the rewrite settings and the observed rewrites rate one node. Redis rewrites when the AOF is
 * above min-size AND has grown by percentage % of its size after the last rewrite, so the growth
 * between rewrites is max(base x percentage / 100, min-size - base).
 */
export function assessRewrites(r: AofReading): FrequentRewrites {
  const { rewritePercentage: pct, rewriteMinSizeBytes: minSize } = r.settings;
  const reasons: string[] = [];
  const autoOn = pct === null || pct > 0;
  if (pct !== null && pct > 0 && pct < RECOMMENDED_REWRITE_PERCENTAGE) {
    reasons.push(
      `auto-aof-rewrite-percentage is ${pct}: the AOF is rewritten each time it grows by ${pct}% of ` +
        `its size, before it has doubled (runbook: ${RECOMMENDED_REWRITE_PERCENTAGE})`,
    );
  }
  if (autoOn && minSize !== null && minSize < LOW_REWRITE_MIN_SIZE) {
    reasons.push(
      `auto-aof-rewrite-min-size is ${bytes(minSize)}, below Redis's default 64mb (runbook: 128mb): a ` +
        'small, constantly written session store is rewritten after little growth',
    );
  }
  const base = r.baseSizeBytes ?? 0;
  const rewriteEveryBytes =
    pct !== null && minSize !== null && pct > 0 ? Math.max(Math.round((base * pct) / 100), minSize - base, 0) : null;
  // uptime_in_seconds is whole seconds: a server up for less than one counts as up for one.
  const hours = Math.max(1, r.uptimeSeconds) / 3600;
  const { rewrites } = r;
  const ratePerHour = rewrites !== null ? Math.round((rewrites / hours) * 10) / 10 : null;
  const observed =
    autoOn &&
    rewrites !== null &&
    rewrites >= FREQUENT_MIN_REWRITES &&
    ratePerHour !== null &&
    ratePerHour >= FREQUENT_REWRITES_PER_HOUR;
  if (observed) {
    reasons.unshift(
      `${count(rewrites)} AOF rewrites in ${duration(r.uptimeSeconds)} of uptime (${decimal(ratePerHour)} per hour)`,
    );
  }
  return { reading: r, reasons, observed, ratePerHour, rewriteEveryBytes };
}

/** The rewrite settings in words, and how often they make Redis rewrite. */
function settingsText(a: FrequentRewrites): string {
  const s = a.reading.settings;
  if (!s.configAllowed) {
    return (
      'CONFIG is disabled on this server (managed Redis or renamed command), so the rewrite settings ' +
      'could not be read; ask the provider for auto-aof-rewrite-percentage and auto-aof-rewrite-min-size.'
    );
  }
  const minSize = s.rewriteMinSizeBytes === null ? 'unknown' : bytes(s.rewriteMinSizeBytes);
  const every =
    a.rewriteEveryBytes !== null ? `, so the AOF is rewritten about every ${bytes(a.rewriteEveryBytes)} of writes` : '';
  return (
    `Current settings: auto-aof-rewrite-percentage ${s.rewritePercentage ?? 'unknown'}, ` +
    `auto-aof-rewrite-min-size ${minSize}${every}.`
  );
}

function frequentFinding(
  assessed: FrequentRewrites[],
  all: AofReading[],
  env: EnvironmentConfig,
  noun: string,
): RawFinding | undefined {
  const flagged = assessed.filter((a) => a.reasons.length);
  const [firstFlagged] = flagged;
  if (!firstFlagged) return undefined;
  const a = flagged.find((x) => x.observed) ?? firstFlagged;
  const r = a.reading;
  const s = r.settings;
  const where = onNodes(
    flagged.map((x) => x.reading.address),
    all.length,
    noun,
  );
  return {
    id: frequentRewrites.id,
    // Settings alone are a risk; rewrites actually happening this often are a problem.
    severity: a.observed ? 'warning' : 'info',
    title:
      a.observed && r.rewrites !== null && a.ratePerHour !== null
        ? `AOF rewrites are frequent${where}: ${count(r.rewrites)} (${decimal(a.ratePerHour)} per hour)`
        : `AOF rewrite settings make rewrites frequent${where}`,
    detail:
      `${a.reasons.join('; ')}. Every rewrite forks Redis and rewrites the dataset to disk, which ` +
      `adds latency under load (runbook Scenario 7). ${settingsText(a)}`,
    // The numbers first: one-line renderers show the leading pairs.
    evidence: {
      rewritePercentage: s.rewritePercentage,
      rewriteMinSize: s.rewriteMinSizeBytes === null ? null : bytes(s.rewriteMinSizeBytes),
      rewriteMinSizeBytes: s.rewriteMinSizeBytes,
      rewriteEveryBytes: a.rewriteEveryBytes,
      ratePerHour: a.ratePerHour,
      uptimeSeconds: r.uptimeSeconds,
      observed: a.observed,
      configAllowed: s.configAllowed,
      reasons: a.reasons,
      usedMemoryBytes: r.usedMemoryBytes,
      source: s.configAllowed ? 'CONFIG GET auto-aof-rewrite-*' : 'INFO persistence only (CONFIG refused)',
      ...(s.configAllowed
        ? {}
        : { note: 'CONFIG is disabled on this server; the rewrite settings could not be read.' }),
      recommended: { rewritePercentage: RECOMMENDED_REWRITE_PERCENTAGE, rewriteMinSize: '128mb' },
      ...baseEvidence(r, all),
    },
    fix: `Tune AOF (runbook Scenario 7): ${tuneStep(env)}.`,
  };
}

/**
 * Runbook Resolution Scenario 7: AOF rewrites during high load. Reads INFO persistence of every node
 * and, with AOF on, the rewrite settings (CONFIG GET, refused on managed Redis). With AOF off on
 * every node there is nothing to report and the check returns no finding.
 */
export const aofCheck = defineCheck({
  id: 'aof',
  summary: 'Checks AOF rewrites, failures, fsync delays and rewrite settings (runbook Scenario 7)',
  needs: ['redis'],
  findings: aofFindings,
  async run(ctx) {
    noteManagedConfig(ctx, 'AOF state (the rewrite settings and appendfsync are not in INFO)');
    const all = await Promise.all(ctx.redis.nodes.map(readAof));
    // A rewrite can run while AOF is being switched on; INFO then already says aof_enabled:1.
    const on = all.filter((r) => r.enabled);
    if (!on.length) {
      ctx.note?.('AOF is off (appendonly no): Scenario 7 does not apply');
      return [];
    }
    const noun = nodeNoun(ctx.redis);
    const findings: (RawFinding | undefined)[] = [
      failedFinding(
        on.filter((r) => r.lastBgrewriteStatus === 'err' || r.lastWriteStatus === 'err'),
        all,
        ctx.env,
        noun,
      ),
      inProgressFinding(
        on.filter((r) => r.rewriteInProgress || r.rewriteScheduled),
        all,
        ctx.env,
        noun,
      ),
      delayedFsyncFinding(
        on.filter((r) => r.delayedFsync > 0),
        all,
        noun,
      ),
      frequentFinding(on.map(assessRewrites), all, ctx.env, noun),
    ];
    return findings.filter((f): f is RawFinding => f !== undefined);
  },
});
