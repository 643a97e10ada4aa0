import { z } from 'zod';
import { percent } from '../core/format.js';

/**
 * How much a finding hurts users: the share of sessions it touches times how much of their life they lose.
 *
 * - `share`: of the sessions (keys with a TTL, or the keys ending now for evictions), 0..1.
 * - `lifetimeRatio`: how long those sessions live against the expected TTL, 0..1; `null` when the TTL does
 *   not govern them at all (sessions written without a TTL).
 */
export interface Harm {
  share: number;
  lifetimeRatio: number | null;
}

/** The runbook's escalation line: sessions expiring more than 50% early ("far below the TTL"). */
export const FAR_BELOW_RATIO = 0.5;
/** Half the sessions or more far below the TTL: critical, and the runbook escalates. */
export const ESCALATION_SHARE = 0.5;
/** share x shortfall from which a population far below the TTL is critical: a quarter of the sessions losing half. */
export const CRITICAL_HARM = 0.125;
/**
 * A session without a TTL loses no lifetime: it never ends, which costs the store (memory, sessions that are
 * never logged out) rather than the user. It weighs as half a lost lifetime, so that a quarter of the sessions
 * without a TTL is critical and half of them escalates, like sessions far below their TTL.
 */
export const NO_EXPIRY_SHORTFALL = 0.5;

export type HarmLevel = 'escalate' | 'critical' | 'warning';

/** The lifetime lost, 0..1: 1 - lifetimeRatio, or NO_EXPIRY_SHORTFALL for sessions that never expire. */
export function shortfallOf(h: Harm): number {
  if (h.lifetimeRatio === null) return NO_EXPIRY_SHORTFALL;
  return Math.min(1, Math.max(0, 1 - h.lifetimeRatio));
}

/** share x shortfall, 0..1. */
export function harmScore(h: Harm): number {
  return Math.min(1, Math.max(0, h.share)) * shortfallOf(h);
}

const farBelow = (h: Harm) => h.lifetimeRatio === null || h.lifetimeRatio < FAR_BELOW_RATIO;

/**
 * The severity a harm deserves. Far below the TTL (under half of it, or no TTL at all): `escalate` (critical
 * and `escalation.severe`) from half of the sessions, `critical` from a share x shortfall of 1/8 (a quarter
 * of the sessions at half their TTL, 30% at 1/12, 15% at 1/24); anything else is a `warning`.
 *
 * @example harmLevel({ share: 0.3, lifetimeRatio: 1 / 12 }) // 'critical'
 * @example harmLevel({ share: 0.6, lifetimeRatio: 0.25 }) // 'escalate'
 * @example harmLevel({ share: 1, lifetimeRatio: 0.7 }) // 'warning'
 */
export function harmLevel(h: Harm): HarmLevel {
  if (!farBelow(h)) return 'warning';
  if (h.share >= ESCALATION_SHARE) return 'escalate';
  return harmScore(h) >= CRITICAL_HARM ? 'critical' : 'warning';
}

/** The finding's severity for that harm. */
export const harmSeverity = (h: Harm): 'critical' | 'warning' => (harmLevel(h) === 'warning' ? 'warning' : 'critical');

/** The harm in a finding's evidence (`harmEvidence`). */
export const harmEvidenceSchema = z.object({
  share: z.number(),
  lifetimeRatio: z.number().nullable(),
  score: z.number(),
  level: z.enum(['escalate', 'critical', 'warning']),
});

/** The harm as evidence: what the severity was judged from. */
export function harmEvidence(h: Harm): z.infer<typeof harmEvidenceSchema> {
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    share: r3(h.share),
    lifetimeRatio: h.lifetimeRatio === null ? null : r3(h.lifetimeRatio),
    score: r3(harmScore(h)),
    level: harmLevel(h),
  };
}

/** One sentence on why the finding has its severity, for its detail. */
export function harmSentence(h: Harm): string {
  const level = harmLevel(h);
  const who = `${percent(h.share)} of the sessions`;
  const life = h.lifetimeRatio === null ? 'never expire' : `live ${percent(h.lifetimeRatio)} of the expected TTL`;
  if (level === 'escalate')
    return `Critical: ${who} ${life}, half of them or more far below the TTL (the runbook's escalation threshold).`;
  if (level === 'critical')
    return `Critical: ${who} ${life} (share x shortfall ${harmScore(h).toFixed(2)}, critical from ${CRITICAL_HARM}).`;
  return `A warning: ${who} ${life} (share x shortfall ${harmScore(h).toFixed(2)}).`;
}
