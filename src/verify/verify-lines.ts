import { count, exactSeconds } from '../core/format.js';
import type { VerifyResult } from './verify-result.js';

/** Label and value of one measured number, in the order both renderers show them. */
export interface VerifyLine {
  label: string;
  value: string;
}

// A readout: its lines are compared with each other, so seconds stay exact (see exactSeconds).
const s = exactSeconds;
// Drift has a direction, so it carries an explicit sign; a drift that rounds to zero gets none.
const signed = (v: number) => {
  const text = exactSeconds(Math.abs(v));
  return `${text === '0 s' ? '' : v > 0 ? '+' : '-'}${text}`;
};

/** The measured numbers of a result as label/value pairs; absent numbers are left out. Pure. */
export function verifyLines(r: VerifyResult): VerifyLine[] {
  const m = r.measurements;
  const lines: (VerifyLine | undefined)[] = [
    {
      label: 'Expected TTL',
      value: `${exactSeconds(r.expectedTtlSeconds)}, sliding window ${r.slidingWindow ? 'on' : 'off'}`,
    },
    m.initialTtlSeconds !== undefined ? { label: 'Initial TTL', value: s(m.initialTtlSeconds) } : undefined,
    m.ttlAfterWaitSeconds !== undefined
      ? {
          label: 'TTL after wait',
          value: `${s(m.ttlAfterWaitSeconds)}${m.elapsedSeconds !== undefined ? ` after ${exactSeconds(m.elapsedSeconds)}` : ''}`,
        }
      : undefined,
    m.expectedAfterWaitSeconds !== undefined
      ? { label: 'Expected after wait', value: `~${s(m.expectedAfterWaitSeconds)}` }
      : undefined,
    m.driftSeconds !== undefined
      ? { label: 'Drift', value: `${signed(m.driftSeconds)} (tolerance ±${exactSeconds(m.toleranceSeconds ?? 0)})` }
      : undefined,
    m.refreshedTtlSeconds !== undefined ? { label: 'TTL after GET', value: s(m.refreshedTtlSeconds) } : undefined,
    m.evictedKeysDelta !== undefined
      ? { label: 'Evicted keys', value: `+${count(m.evictedKeysDelta)} during the run` }
      : undefined,
    { label: 'Cleanup', value: cleanupText(r) },
  ];
  return lines.filter((l): l is VerifyLine => l !== undefined);
}

/** What happened to the canary, in words. */
export function cleanupText(r: VerifyResult): string {
  const what = r.mode === 'app' ? 'test session' : 'canary';
  switch (r.cleanup.status) {
    case 'nothing_written':
      return `no ${what} was written`;
    case 'removed':
      return `${what} ${r.key} removed${r.cleanup.appDelete === 'failed' ? ' (DEL; the app API DELETE failed)' : ''}`;
    case 'failed':
      return r.cleanup.error ?? `${what} ${r.key} may be left behind`;
  }
}

export const VERDICT_LABEL = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' } as const;

/**
 * "Session TTL verification for dev: PASS (canary key written by the bot; the app's own writes were not tested)".
 * A canary pass says what it did not test, so it never reads as "sessions keep their TTL".
 */
export function verifyHeadline(r: VerifyResult): string {
  const how =
    r.mode === 'app'
      ? 'session created through the app API'
      : r.verdict === 'pass'
        ? "canary key written by the bot; the app's own writes were not tested"
        : 'canary key';
  return `Session TTL verification for ${r.environment}: ${VERDICT_LABEL[r.verdict]} (${how})`;
}
