import { VIOLATION_REASONS, type ViolationReason } from './metrics.js';

const SLOTS = 60;
const SLOT_MS = 60_000;
/** Lifetimes kept per minute for the percentiles (a uniform enough sample at any rate). */
const LIFETIMES_PER_SLOT = 256;

/**
 * How a session ended: `expired` at the end of its TTL (normal), `expired_early` before 90% of it, or
 * ended by Redis (`evicted`) or a client (`deleted`: a logout or a bug).
 */
export const END_KINDS = ['expired', 'expired_early', 'evicted', 'deleted'] as const;
export type EndKind = (typeof END_KINDS)[number];

interface Slot {
  minute: number;
  reasons: Record<ViolationReason, number>;
  ends: Record<EndKind, number>;
  lifetimes: number[];
  seenLifetimes: number;
}

export interface HourSummary {
  violations: Record<ViolationReason, number>;
  /** Tracked sessions that ended, by how (sessions found by a scan too); absent in an older replica's snapshot. */
  ended?: Record<EndKind, number>;
  /** Lifetime percentiles in seconds over the last hour; absent without ended sessions. */
  lifetime?: { p50: number; p90: number; p99: number; count: number };
}

/** A count of 0 for every reason. */
export const zeroViolations = (): Record<ViolationReason, number> => ({
  evicted: 0,
  deleted: 0,
  early_expiration: 0,
  no_ttl: 0,
  short_ttl: 0,
});

/** A count of 0 for every way of ending. */
export const zeroEnds = (): Record<EndKind, number> => ({ expired: 0, expired_early: 0, evicted: 0, deleted: 0 });

/** Violations and lifetimes of the last hour, by minute, for `/session-ttl status` (bounded memory). */
export function createHourWindow(now: () => number) {
  const slots: Slot[] = [];
  function slot(): Slot {
    const minute = Math.floor(now() / SLOT_MS);
    const i = minute % SLOTS;
    let s = slots[i];
    if (!s || s.minute !== minute) {
      s = { minute, reasons: zeroViolations(), ends: zeroEnds(), lifetimes: [], seenLifetimes: 0 };
      slots[i] = s;
    }
    return s;
  }
  return {
    violation(reason: ViolationReason): void {
      slot().reasons[reason]++;
    },
    ended(kind: EndKind): void {
      slot().ends[kind]++;
    },
    lifetime(seconds: number): void {
      const s = slot();
      s.seenLifetimes++;
      // Reservoir sampling: every lifetime of the minute equally likely to be kept.
      if (s.lifetimes.length < LIFETIMES_PER_SLOT) s.lifetimes.push(seconds);
      else {
        const j = Math.floor(Math.random() * s.seenLifetimes);
        if (j < LIFETIMES_PER_SLOT) s.lifetimes[j] = seconds;
      }
    },
    summary(): HourSummary {
      const current = Math.floor(now() / SLOT_MS);
      const live = slots.filter((s) => s && current - s.minute < SLOTS);
      const violations = zeroViolations();
      const ended = zeroEnds();
      for (const s of live) {
        for (const r of VIOLATION_REASONS) violations[r] += s.reasons[r];
        for (const k of END_KINDS) ended[k] += s.ends[k];
      }
      const all = live.flatMap((s) => s.lifetimes).sort((a, b) => a - b);
      const count = live.reduce((n, s) => n + s.seenLifetimes, 0);
      if (!all.length) return { violations, ended };
      // `all` is not empty, so the index is always in range.
      const q = (p: number) => all[Math.min(all.length - 1, Math.floor(p * all.length))] ?? 0;
      return { violations, ended, lifetime: { p50: q(0.5), p90: q(0.9), p99: q(0.99), count } };
    },
  };
}
export type HourWindow = ReturnType<typeof createHourWindow>;
