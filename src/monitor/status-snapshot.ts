import { z } from 'zod';
import { parseStored } from '../core/stored-json.js';
import { END_KINDS, type HourSummary, zeroEnds, zeroViolations } from './hour-window.js';
import { VIOLATION_REASONS } from './metrics.js';
import type { NotifyCheck } from './notify-setting.js';

export type MonitorState = 'standby' | 'watching' | 'unreachable' | 'stopped';

/** What `/session-ttl status` shows, written by the watching replica to the state store. */
export interface MonitorStatus {
  env: string;
  replica: string;
  state: MonitorState;
  at: number;
  tracked: number;
  sampleRate: number;
  notify?: NotifyCheck;
  gaps: number;
  lastError?: string;
  hour: HourSummary;
}

/** Where the watching replica keeps an environment's snapshot in the state store. */
export const statusKey = (env: string) => `monitor:status:${env}`;

const notifySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), setting: z.string() }),
  z
    .object({
      ok: z.literal(false),
      // JSON drops an undefined setting (CONFIG GET refused); NotifyCheck names the key all the same.
      setting: z.string().optional(),
      missing: z.array(z.string()),
      fix: z.string(),
      message: z.string(),
    })
    .transform(({ setting, ...rest }) => ({ ...rest, setting })),
]);

/** Counts by reason; a reason the writer did not know (an older replica) counts 0. */
const violationsSchema = z.record(z.string(), z.number()).transform((stored) => {
  const out = zeroViolations();
  for (const r of VIOLATION_REASONS) out[r] = stored[r] ?? 0;
  return out;
});

/** Ends by kind; a kind the writer did not know counts 0. */
const endsSchema = z.record(z.string(), z.number()).transform((stored) => {
  const out = zeroEnds();
  for (const k of END_KINDS) out[k] = stored[k] ?? 0;
  return out;
});

// The snapshot is ours, but it crosses a process boundary: checked before use.
const snapshotSchema = z
  .object({
    env: z.string(),
    replica: z.string(),
    state: z.enum(['standby', 'watching', 'unreachable', 'stopped']),
    at: z.number(),
    tracked: z.number(),
    sampleRate: z.number(),
    gaps: z.number(),
    notify: notifySchema.optional(),
    lastError: z.string().optional(),
    hour: z.object({
      violations: violationsSchema,
      ended: endsSchema.optional(),
      lifetime: z.object({ p50: z.number(), p90: z.number(), p99: z.number(), count: z.number() }).optional(),
    }),
  })
  .loose();

/** A stored snapshot, checked; undefined when it is not JSON or not a snapshot. */
export function parseStatusSnapshot(raw: string): MonitorStatus | undefined {
  return parseStored(snapshotSchema, raw);
}
