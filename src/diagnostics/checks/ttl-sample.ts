import { defineCheck } from '../define-check.js';
import {
  ttlAboveConfigured,
  ttlDistribution,
  ttlEffectiveBelow,
  ttlInconsistent,
  ttlNoExpiry,
  ttlSampleFindings,
  ttlShortPopulation,
} from './ttl-sample.findings.js';
import { findShortPopulation, type ShortPopulationUncertainty } from '../sampling/short-population.js';
import { codeWords, type CodeWords } from '../code-hints.js';
import { aboveTolerance, type KeyspaceSample } from '../sampling/keyspace-sampler.js';
import { clusterTtls, roundUpTtl, type TtlCluster, type TtlSummary } from '../sampling/ttl-stats.js';
import type { CheckContext, RawFinding } from '../types.js';
import { count, duration, percent } from '../../core/format.js';
import { nodeNoun } from './node-scope.js';
import { slotMapDuringScan, type SlotMapEvidence } from './slot-map-during-scan.js';
import { harmEvidence, harmScore, harmSentence, harmSeverity, type Harm } from '../harm.js';

/** Keys with a TTL needed before judging the effective TTL. */
const MIN_KEYS_TO_JUDGE = 20;
/** Sessions with a usable timestamp needed before judging consistency. */
const MIN_TIMESTAMPS_TO_JUDGE = 20;
/** A cluster of original TTLs counts when it holds at least this share of the sessions. */
const MEANINGFUL_SHARE = 0.05;

type Basis = 'created_at' | 'last_access';

/** What ttl-sample reads from the diagnosis's keyspace sample; everything is bounded. */
interface ScanResult {
  stats: TtlSummary;
  noExpiryKeys: string[];
  above: { count: number; maxSeconds: number; keys: string[] };
  /** Original TTLs (age + remaining) of the sessions whose value carried the basis timestamp. */
  originals: number[];
  valuesRead: number;
  withCreatedAt: number;
  withLastAccess: number;
  futureTimestamps: number;
}

/** Kept for callers that mask keys the way ttl-sample's evidence does. */
export { maskKey } from '../sampling/mask-key.js';

function basisFor(slidingWindow: boolean): Basis {
  return slidingWindow ? 'last_access' : 'created_at';
}

/** Original TTLs from the values the sampler read: age from the basis timestamp + remaining TTL. */
function readOriginals(sample: KeyspaceSample, basis: Basis): ScanResult {
  const out: ScanResult = {
    stats: sample.stats.summary(),
    noExpiryKeys: sample.noExpiryKeys,
    above: sample.above,
    originals: [],
    valuesRead: 0,
    withCreatedAt: 0,
    withLastAccess: 0,
    futureTimestamps: 0,
  };
  for (const k of sample.keys) {
    if (!k.value || k.readAtMs === undefined) continue;
    out.valuesRead++;
    if (k.value.createdAt !== undefined) out.withCreatedAt++;
    if (k.value.lastAccessAt !== undefined) out.withLastAccess++;
    const from = basis === 'created_at' ? k.value.createdAt : k.value.lastAccessAt;
    if (from === undefined) continue;
    const ageSeconds = (k.readAtMs - from) / 1000;
    // A timestamp in the future beyond a little clock noise says nothing about the TTL.
    if (ageSeconds < -60) {
      out.futureTimestamps++;
      continue;
    }
    out.originals.push(Math.max(0, ageSeconds) + k.pttlMs / 1000);
  }
  return out;
}

interface OriginalTtlEvidence {
  basis: Basis | null;
  valuesRead: number;
  withCreatedAt: number;
  withLastAccess: number;
  withBasis: number;
  futureTimestamps: number;
  modeSeconds: number | null;
  clusters: TtlCluster[];
  note?: string;
}

function originalTtlEvidence(scan: ScanResult, slidingWindow: boolean): OriginalTtlEvidence {
  const basis = basisFor(slidingWindow);
  const clusters = scan.originals.length >= MIN_TIMESTAMPS_TO_JUDGE ? clusterTtls(scan.originals) : [];
  const ev: OriginalTtlEvidence = {
    basis: scan.originals.length ? basis : null,
    valuesRead: scan.valuesRead,
    withCreatedAt: scan.withCreatedAt,
    withLastAccess: scan.withLastAccess,
    withBasis: scan.originals.length,
    futureTimestamps: scan.futureTimestamps,
    modeSeconds: clusters[0]?.ttlSeconds ?? null,
    clusters: clusters.slice(0, 5),
  };
  if (slidingWindow && !scan.withLastAccess && scan.withCreatedAt) {
    ev.note =
      'The sliding window is on and the session values carry only a creation time: age since creation ' +
      'is not the TTL, so original TTLs were not computed (add last_accessed_at to the values to ' +
      'enable this).';
  } else if (!scan.originals.length && scan.valuesRead) {
    ev.note = `No ${slidingWindow ? 'last-access' : 'creation'} timestamp found in the session values; original TTLs were not computed.`;
  } else if (scan.originals.length && scan.originals.length < MIN_TIMESTAMPS_TO_JUDGE) {
    ev.note = `Only ${scan.originals.length} sessions carry a usable timestamp; at least ${MIN_TIMESTAMPS_TO_JUDGE} are needed to judge TTL consistency.`;
  }
  return ev;
}

/** Whether values were read on every node; the note says where not and why. */
export function valueReadsOf(sample: Pick<KeyspaceSample, 'reads'>): {
  read: boolean;
  note?: string;
  nodes: Record<string, unknown>[];
} {
  const skipped = sample.reads.filter((r) => !r.values);
  return {
    read: skipped.length === 0,
    ...(skipped.length ? { note: skipped.map((r) => r.reason).join('; ') } : {}),
    nodes: sample.reads.map((r, i) => ({
      address: r.headroom?.address ?? `node ${i + 1}`,
      values: r.values,
      usedMemory: r.headroom?.usedMemory ?? null,
      maxmemory: r.headroom?.maxmemory ?? null,
      headroomBytes: r.headroom?.headroomBytes ?? null,
      fragmentationRatio: r.headroom?.fragmentationRatio ?? null,
      clientBuffersBytes: r.headroom?.clientBuffersBytes ?? null,
    })),
  };
}

/** How the full audit ran, for the evidence: its mode and pacing, and each node's path (and why not the script). */
function auditEvidence(a: NonNullable<KeyspaceSample['audit']>) {
  const fallbacks = a.nodes.flatMap((n) => n.fallbackReason ?? []);
  return {
    mode: a.mode,
    scanCount: a.scanCount,
    pauseMs: a.pauseMs,
    batches: a.batches,
    durationMs: a.durationMs,
    cpuMs: a.cpuMs,
    paths: a.nodes.map((n) => ({
      address: n.address,
      path: n.path,
      batches: n.batches,
      ...(n.cursors ? { cursors: n.cursors } : {}),
    })),
    ...(fallbacks.length
      ? {
          note: `The audit script was not used: ${fallbacks.join('; ')}; every key was read with SCAN + PTTL pipelines instead.`,
        }
      : {}),
  };
}

function distributionFinding(
  s: TtlSummary,
  ctx: CheckContext<'redis'>,
  original: OriginalTtlEvidence,
  nodes: number,
  valueReads: ReturnType<typeof valueReadsOf>,
  slotMap: SlotMapEvidence | undefined,
  audit: KeyspaceSample['audit'],
): RawFinding {
  const expected = ctx.env.expectedTtlSeconds;
  const full = ctx.options.full === true;
  const what = full
    ? `${count(s.sampled)} sessions (full audit, ${audit?.mode ?? 'gentle'})`
    : `${count(s.sampled)} sampled sessions`;
  const median = s.p50Seconds === null ? 'no keys with a TTL' : `median remaining ${duration(s.p50Seconds)}`;
  return {
    id: ttlDistribution.id,
    severity: 'info',
    title:
      `Remaining TTL of ${what}${nodes > 1 ? ` on ${nodes} ${nodeNoun(ctx.redis)}` : ''}: ${median} ` +
      `(configured ${duration(expected)})${slotMap?.headline ? `; ${slotMap.headline}` : ''}`,
    detail:
      (s.sampled === 0
        ? `No keys match ${ctx.env.redis.keyPattern}; there is nothing to measure.`
        : `Remaining TTLs of keys matching ${ctx.env.redis.keyPattern}, bucketed relative to the ` +
          `configured TTL of ${count(expected)} s. Sessions written with the configured TTL spread across ` +
          `all buckets up to ${duration(expected)}; nothing should sit above it.`) +
      (slotMap?.note ? ` ${slotMap.note}` : ''),
    // The contract fields first: one-line renderers show the leading pairs.
    evidence: {
      ...s,
      mode: full ? 'full' : 'sample',
      keyPattern: ctx.env.redis.keyPattern,
      expectedTtlSeconds: expected,
      slidingWindow: ctx.env.slidingWindow,
      nodes,
      originalTtl: original,
      valueReads,
      ...(slotMap ? { slotMap } : {}),
      ...(audit ? { audit: auditEvidence(audit) } : {}),
    },
  };
}

function noExpiryFinding(s: TtlSummary, keys: string[], full: boolean): RawFinding | undefined {
  if (!s.noExpiry) return undefined;
  const ratio = s.noExpiry / s.sampled;
  const harm: Harm = { share: ratio, lifetimeRatio: null };
  return {
    id: ttlNoExpiry.id,
    severity: harmSeverity(harm),
    title: `${count(s.noExpiry)} of ${count(s.sampled)} ${full ? '' : 'sampled '}sessions never expire`,
    detail:
      `${percent(ratio)} of the session keys have no TTL (PTTL -1): they were written with SET and no ` +
      'EX, or their EXPIRE was lost (e.g. SET after EXPIRE). They stay until deleted or evicted. ' +
      harmSentence(harm),
    evidence: {
      noExpiry: s.noExpiry,
      sampled: s.sampled,
      ratio: Math.round(ratio * 10000) / 10000,
      samples: keys,
      harm: harmEvidence(harm),
    },
    fix: 'Write sessions with SETEX or SET ... EX <ttl> (runbook Scenario 2), never SET followed by EXPIRE; give the existing keys a TTL with EXPIRE.',
  };
}

function aboveFinding(
  s: TtlSummary,
  above: ScanResult['above'],
  expected: number,
  full: boolean,
  code: CodeWords,
): RawFinding | undefined {
  if (!above.count) return undefined;
  const ratio = above.count / s.sampled;
  return {
    id: ttlAboveConfigured.id,
    severity: 'warning',
    title:
      `${count(above.count)} of ${count(s.sampled)} ${full ? '' : 'sampled '}sessions have a TTL ` +
      `above the configured ${duration(expected)} (up to ${duration(above.maxSeconds)})`,
    detail:
      `Their remaining TTL exceeds the configured ${count(expected)} s, so some writer uses a longer ` +
      `TTL than the environment's configuration: the app may be reading a different SESSION_TTL, or ` +
      'another code path sets its own expiry.',
    evidence: {
      count: above.count,
      sampled: s.sampled,
      ratio: Math.round(ratio * 10000) / 10000,
      maxSeconds: Math.round(above.maxSeconds),
      expectedTtlSeconds: expected,
      toleranceSeconds: aboveTolerance(expected),
      samples: above.keys,
    },
    fix:
      'Check the TTL the app actually reads (runbook Scenario 6: env | grep SESSION_TTL in the app ' +
      `pod, the mounted ConfigMap, hard-coded TTLs in ${code.module}: ${code.grepLiteralTtl}), then ` +
      'restart the app to reload the config.',
  };
}

function effectiveBelowFinding(
  s: TtlSummary,
  original: OriginalTtlEvidence,
  expected: number,
  code: CodeWords,
): RawFinding | undefined {
  if (s.withTtl < MIN_KEYS_TO_JUDGE) return undefined;
  // p99 ignores a few outliers (e.g. keys above the configured TTL) once there are enough keys.
  // Never null here: there are keys with a TTL.
  const high = s.withTtl >= 100 ? s.p99Seconds : s.maxSeconds;
  if (high === null || high >= expected * 0.9) return undefined;
  const mode = original.modeSeconds;
  const fromTimestamps = mode !== null;
  // Timestamps show the sessions got the full TTL: they are simply old (no recent writes), not short-lived.
  if (mode !== null && mode >= expected * 0.9) return undefined;
  const apparent = mode ?? roundUpTtl(high);
  const ratio = apparent / expected;
  // Every session is written that short: the share is all of them.
  const harm: Harm = { share: 1, lifetimeRatio: ratio };
  const short = harmSeverity(harm) === 'critical' ? ', more than 50% short (runbook escalation threshold)' : '';
  return {
    id: ttlEffectiveBelow.id,
    severity: harmSeverity(harm),
    title:
      `Sessions appear to be written with a TTL of ~${count(apparent)} s (${duration(apparent)}), ` +
      `${percent(ratio)} of the configured ${count(expected)} s`,
    detail: fromTimestamps
      ? `The most common original TTL (age from ${original.basis} + remaining TTL) is ${count(apparent)} ` +
        `s, while the largest remaining TTLs reach only ${count(Math.round(high))} s: writers use a ` +
        `shorter TTL than configured${short}.`
      : `The largest remaining TTLs reach only ${count(Math.round(high))} s of the configured ` +
        `${count(expected)} s, so new sessions are written with about ${count(apparent)} s${short}. ` +
        'If no session was written for a while this can also mean the store is idle.',
    evidence: {
      expectedTtlSeconds: expected,
      apparentTtlSeconds: apparent,
      ratio: Math.round(ratio * 1000) / 1000,
      highRemainingSeconds: Math.round(high),
      highRemainingStatistic: s.withTtl >= 100 ? 'p99' : 'max',
      source: fromTimestamps ? `mode of original TTLs from ${original.basis}` : 'largest remaining TTL, rounded up',
      withTtl: s.withTtl,
      harm: harmEvidence(harm),
    },
    fix:
      'Compare the TTL the app uses with the configured one (runbook Scenario 6: env | grep ' +
      'SESSION_TTL in the app pod, the ConfigMap session_ttl_seconds, hard-coded TTLs in ' +
      `${code.module}: ${code.grepLiteralTtl}) and make ${code.create} use SETEX with the configured ` +
      'TTL (Scenario 2); restart the app to reload the config.',
  };
}

function inconsistentFinding(
  original: OriginalTtlEvidence,
  env: { slidingWindow: boolean; expectedTtlSeconds: number },
  code: CodeWords,
): RawFinding | undefined {
  const { slidingWindow, expectedTtlSeconds: expected } = env;
  if (!original.basis || original.withBasis < MIN_TIMESTAMPS_TO_JUDGE) return undefined;
  if (slidingWindow && original.basis !== 'last_access') return undefined;
  const meaningful = original.clusters.filter((c) => c.share >= MEANINGFUL_SHARE && c.count >= 2);
  if (meaningful.length < 2) return undefined;
  const list = meaningful.map((c) => `${count(c.ttlSeconds)} s (${percent(c.share)})`).join(', ');
  // The group that costs users most decides: a share of sessions written far below the TTL.
  const harm = meaningful
    .filter((c) => c.ttlSeconds < expected)
    .map((c): Harm => ({ share: c.share, lifetimeRatio: c.ttlSeconds / expected }))
    .reduce<Harm | undefined>((worst, h) => (!worst || harmScore(h) > harmScore(worst) ? h : worst), undefined);
  return {
    id: ttlInconsistent.id,
    severity: harm ? harmSeverity(harm) : 'warning',
    title: `Sessions are written with ${meaningful.length} different TTLs: ${list}`,
    detail:
      `Original TTLs (age from ${original.basis === 'created_at' ? 'created_at' : 'the last access'} ` +
      `+ remaining TTL) of ${count(original.withBasis)} sessions fall into ${meaningful.length} ` +
      'groups: several code paths or app versions write sessions with different TTLs.' +
      (harm ? ` ${harmSentence(harm)}` : ''),
    evidence: {
      basis: original.basis,
      sessions: original.withBasis,
      clusters: meaningful,
      ...(harm ? { harm: harmEvidence(harm) } : {}),
    },
    fix:
      `Find the writers that use another TTL (runbook Scenario 6: hard-coded TTLs in ${code.module}: ` +
      `${code.grepLiteralTtl}; pods running an older config; Scenario 4 for refresh/cleanup jobs) and ` +
      'make every path use SETEX with the configured TTL.',
  };
}

/** The estimate's spread over resamples of the sample, in words. */
function uncertaintySentence(u: ShortPopulationUncertainty): string {
  const ttl =
    u.ttlSeconds.low === u.ttlSeconds.high
      ? `${count(u.ttlSeconds.low)} s`
      : `${count(u.ttlSeconds.low)}-${count(u.ttlSeconds.high)} s`;
  return (
    `Over ${u.resamples} resamples of the sample it is found in ${percent(u.foundIn)}, with a TTL of ${ttl} and ` +
    `${percent(u.share.low)}-${percent(u.share.high)} of the sessions (90% intervals).`
  );
}

function shortPopulationFinding(sample: KeyspaceSample, expected: number, fix: string): RawFinding | undefined {
  const found = findShortPopulation(sample.stats, expected);
  if (!found) return undefined;
  const harm: Harm = { share: found.share, lifetimeRatio: found.estimatedTtlSeconds / expected };
  const withTtl = sample.stats.withTtl;
  return {
    id: ttlShortPopulation.id,
    severity: harmSeverity(harm),
    title:
      `About ${percent(found.share)} of sessions are written with a TTL of ~${count(found.estimatedTtlSeconds)} ` +
      `s (${duration(found.estimatedTtlSeconds)}) instead of ${duration(expected)}`,
    detail:
      `${percent(found.share)} of the keys with a TTL pile up under ${duration(found.ceilingSeconds)} ` +
      `of remaining TTL, ${decimalRatio(found.densityRatio)} times denser than above it, which an ` +
      `even spread of session ages under the configured ${count(expected)} s cannot produce: one code ` +
      `path (or app version) writes sessions with about ${count(found.estimatedTtlSeconds)} s while ` +
      'another uses the configured TTL. Judged from remaining TTLs alone, so it holds whatever the ' +
      `session values carry. ${uncertaintySentence(found.uncertainty)} ${harmSentence(harm)}`,
    evidence: {
      expectedTtlSeconds: expected,
      estimatedTtlSeconds: found.estimatedTtlSeconds,
      ceilingSeconds: found.ceilingSeconds,
      share: found.share,
      affected: Math.round(found.share * withTtl),
      withTtl,
      densityRatio: found.densityRatio,
      source: 'remaining TTLs',
      harm: harmEvidence(harm),
      logLikelihoodRatio: found.logLikelihoodRatio,
      uncertainty: found.uncertainty,
    },
    fix,
  };
}

const decimalRatio = (r: number) => (r >= 9999 ? 'far' : r >= 10 ? String(Math.round(r)) : r.toFixed(1));

/**
 * Runbook Diagnosis step 2: the remaining TTLs of the session keys, from the diagnosis's keyspace
 * sample (SCAN + pipelined PTTL, never KEYS): `sampleSize` keys, or every key with `full`.
 */
export const ttlSampleCheck = defineCheck({
  id: 'ttl-sample',
  summary: 'Samples session keys and checks their remaining TTLs against the configured TTL (runbook step 2)',
  needs: ['redis'],
  findings: ttlSampleFindings,
  async run(ctx) {
    const { env, options } = ctx;
    const full = options.full === true;
    const sample = await ctx.sampler.sample();
    // Read right after the scan: a slot migration during it makes the counts approximate.
    const slotMap = await slotMapDuringScan(ctx.redis);
    if (slotMap?.note) ctx.note?.(slotMap.note);
    const out = readOriginals(sample, basisFor(env.slidingWindow));
    const nodes = ctx.redis.nodes;

    const s = out.stats;
    const original = originalTtlEvidence(out, env.slidingWindow);
    const valueReads = valueReadsOf(sample);
    const code = codeWords(env);
    if (valueReads.note) {
      ctx.note?.(valueReads.note);
      original.note ??=
        'Session values were not read (Redis is near its maxmemory), so original TTLs were not computed.';
    }
    const findings: (RawFinding | undefined)[] = [
      distributionFinding(s, ctx, original, nodes.length, valueReads, slotMap, sample.audit),
      noExpiryFinding(s, out.noExpiryKeys, full),
      aboveFinding(s, out.above, env.expectedTtlSeconds, full, code),
      effectiveBelowFinding(s, original, env.expectedTtlSeconds, code),
      inconsistentFinding(original, env, code),
    ];
    // All keys short is effective_below's to say; a short share next to full-TTL keys is this one's.
    if (!findings.some((f) => f?.id === ttlEffectiveBelow.id)) {
      findings.push(
        shortPopulationFinding(
          sample,
          env.expectedTtlSeconds,
          'Find the code path that writes sessions with its own TTL (runbook Scenario 6: a hard-coded TTL ' +
            `next to the configured one in ${code.module}: ${code.grepLiteralTtl}; pods running an older ` +
            `version or config) and make ${code.create} and every other path use SETEX with the configured ` +
            'TTL (Scenario 2).',
        ),
      );
    }
    return findings.filter((f): f is RawFinding => f !== undefined);
  },
});
