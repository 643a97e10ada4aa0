import type { EnvironmentConfig } from '../config/config.js';
import { evidenceOf } from './catalogue/finding-spec.js';
import { escalationSevere } from './catalogue/engine-findings.js';
import { memoryEvictions } from './checks/memory.findings.js';
import { ttlEffectiveBelow } from './checks/ttl-sample.findings.js';
import type { Finding } from './types.js';
import { duration } from '../core/format.js';

/** Runbook "Escalation": sessions expiring more than 50% early. */
export const SEVERE_RATIO = 0.5;

/**
 * How long sessions actually live, from the evidence: the TTL writers use (ttl-sample), and under
 * eviction pressure the keyspace divided by the eviction rate (how long a key survives when that many
 * keys are evicted per second). The shortest estimate wins.
 */
export function estimatedLifetimes(findings: readonly Finding[]): { source: string; seconds: number }[] {
  const out: { source: string; seconds: number }[] = [];
  for (const f of findings) {
    // Evidence is read through the findings' schemas: a finding whose evidence breaks it is skipped.
    const below = evidenceOf(ttlEffectiveBelow, f);
    if (below) out.push({ source: 'TTL the writers use (ttl-sample)', seconds: below.apparentTtlSeconds });
    const evictions = evidenceOf(memoryEvictions, f);
    if (evictions && evictions.ratePerSecond > 0) {
      out.push({ source: 'keys / eviction rate (memory)', seconds: evictions.keys / evictions.ratePerSecond });
    }
  }
  return out;
}

/**
 * `escalation.severe` when sessions live less than half their expected TTL. Derived from the other
 * findings; never from a source of its own. Whom to call is the front end's to say when it renders the
 * report (Slack mentions the on-call user group): the evidence stays platform-free.
 */
export function escalationFinding(
  findings: readonly Finding[],
  env: Pick<EnvironmentConfig, 'expectedTtlSeconds'>,
): Finding | undefined {
  const lifetimes = estimatedLifetimes(findings).filter((l) => l.seconds < env.expectedTtlSeconds * SEVERE_RATIO);
  if (!lifetimes.length) return undefined;
  const shortest = lifetimes.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return {
    id: escalationSevere.id,
    check: 'escalation',
    severity: 'critical',
    title: `Sessions live about ${duration(shortest.seconds)}, under half the expected ${duration(env.expectedTtlSeconds)}: escalate`,
    detail:
      `The runbook escalates when sessions expire more than 50% early: review recent configuration changes, ` +
      'check for infrastructure issues, engage the development team and consider a temporary TTL increase.',
    evidence: {
      expectedTtlSeconds: env.expectedTtlSeconds,
      estimatedLifetimeSeconds: Math.round(shortest.seconds),
      basis: shortest.source,
      estimates: lifetimes.map((l) => ({ source: l.source, seconds: Math.round(l.seconds) })),
    },
    fix: 'Engage the on-call and development teams; as a stopgap raise the TTL or free Redis memory while the cause is fixed.',
  };
}
