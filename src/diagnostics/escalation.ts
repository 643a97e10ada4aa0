import type { EnvironmentConfig } from '../config/config.js';
import { evidenceOf } from './catalogue/finding-spec.js';
import { escalationSevere } from './catalogue/engine-findings.js';
import { memoryEvictions } from './checks/memory.findings.js';
import { ttlEffectiveBelow, ttlInconsistent, ttlNoExpiry, ttlShortPopulation } from './checks/ttl-sample.findings.js';
import { FAR_BELOW_RATIO, harmLevel, harmScore, type Harm } from './harm.js';
import type { Finding } from './types.js';
import { duration, percent } from '../core/format.js';

/** Runbook "Escalation": sessions expiring more than 50% early. */
export const SEVERE_RATIO = FAR_BELOW_RATIO;

/** How long a share of the sessions lives, by one finding's evidence; `seconds` null: they never expire. */
export interface LifetimeEstimate {
  source: string;
  share: number;
  seconds: number | null;
}

/** Evictions going on: keys end by eviction or expiry at the measured pace, so a key lives keys / that pace. */
function evictionEstimate(f: Finding): LifetimeEstimate | undefined {
  const e = evidenceOf(memoryEvictions, f);
  if (!e || e.ratePerSecond <= 0) return undefined;
  const expired = e.expiredInWindow ?? 0;
  const endRate = e.ratePerSecond + expired / Math.max(e.windowMs / 1000, 0.001);
  const share = e.evictedInWindow > 0 ? e.evictedInWindow / (e.evictedInWindow + expired) : 1;
  return { source: 'keys / eviction rate (memory)', share, seconds: e.keys / endRate };
}

/** The lifetime estimates one finding carries (none for a finding that says nothing about lifetimes). */
function estimatesOf(f: Finding): LifetimeEstimate[] {
  // Evidence is read through the findings' schemas: a finding whose evidence breaks it is skipped.
  const below = evidenceOf(ttlEffectiveBelow, f);
  if (below) return [{ source: 'TTL the writers use (ttl-sample)', share: 1, seconds: below.apparentTtlSeconds }];
  const short = evidenceOf(ttlShortPopulation, f);
  if (short) {
    return [{ source: 'short population (ttl-sample)', share: short.share, seconds: short.estimatedTtlSeconds }];
  }
  const groups = evidenceOf(ttlInconsistent, f);
  if (groups) {
    return groups.clusters.map((c) => ({
      source: 'original TTL group (ttl-sample)',
      share: c.share,
      seconds: c.ttlSeconds,
    }));
  }
  const noExpiry = evidenceOf(ttlNoExpiry, f);
  if (noExpiry) return [{ source: 'sessions without a TTL (ttl-sample)', share: noExpiry.ratio, seconds: null }];
  const evictions = evictionEstimate(f);
  return evictions ? [evictions] : [];
}

/**
 * How long sessions actually live, from the evidence, with the share of sessions each estimate covers: the
 * TTL writers use (all sessions, or a short population or group of them), sessions without a TTL, and under
 * eviction pressure the keyspace divided by the pace at which keys end.
 */
export function estimatedLifetimes(findings: readonly Finding[]): LifetimeEstimate[] {
  return findings.flatMap(estimatesOf);
}

const harmOf = (l: LifetimeEstimate, expected: number): Harm => ({
  share: l.share,
  lifetimeRatio: l.seconds === null ? null : l.seconds / expected,
});

function titleOf(worst: LifetimeEstimate, expected: number): string {
  const who = worst.share >= 0.995 ? 'Sessions' : `${percent(worst.share)} of the sessions`;
  if (worst.seconds === null) return `${who} never expire: escalate`;
  return `${who} live about ${duration(worst.seconds)}, under half the expected ${duration(expected)}: escalate`;
}

/**
 * `escalation.severe` when half the sessions or more live less than half their expected TTL (or never
 * expire): the harm level `escalate` (see harm.ts). Derived from the other findings; never from a source of its
 * own. Whom to call is the front end's to say when it renders the report (Slack mentions the on-call user
 * group): the evidence stays platform-free.
 */
export function escalationFinding(
  findings: readonly Finding[],
  env: Pick<EnvironmentConfig, 'expectedTtlSeconds'>,
): Finding | undefined {
  const expected = env.expectedTtlSeconds;
  const severe = estimatedLifetimes(findings).filter((l) => harmLevel(harmOf(l, expected)) === 'escalate');
  if (!severe.length) return undefined;
  const worst = severe.reduce((a, b) => (harmScore(harmOf(b, expected)) > harmScore(harmOf(a, expected)) ? b : a));
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    id: escalationSevere.id,
    check: 'escalation',
    severity: 'critical',
    title: titleOf(worst, expected),
    detail:
      'The runbook escalates when sessions expire more than 50% early; here it holds for ' +
      `${percent(worst.share)} of them. Review recent configuration changes, check for infrastructure issues, ` +
      'engage the development team and consider a temporary TTL increase.',
    evidence: {
      expectedTtlSeconds: expected,
      estimatedLifetimeSeconds: round(worst.seconds),
      share: Math.round(worst.share * 1000) / 1000,
      basis: worst.source,
      estimates: severe.map((l) => ({
        source: l.source,
        seconds: round(l.seconds),
        share: Math.round(l.share * 1000) / 1000,
      })),
    },
    fix: 'Engage the on-call and development teams; as a stopgap raise the TTL or free Redis memory while the cause is fixed.',
  };
}
