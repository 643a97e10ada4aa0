import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { StateStore } from '../core/ports/state-store.js';
import { statusKey, type MonitorStatus } from './env-monitor.js';

/** One environment as `status` shows it. */
export type EnvStatus =
  | { env: string; kind: 'off' }
  | { env: string; kind: 'unknown'; why: string }
  | { env: string; kind: 'reported'; status: MonitorStatus; ageMs: number };

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
    notify: z.any().optional(),
    lastError: z.string().optional(),
    hour: z.object({
      violations: z.record(z.string(), z.number()),
      lifetime: z.object({ p50: z.number(), p90: z.number(), p99: z.number(), count: z.number() }).optional(),
    }),
  })
  .loose();

/** Reads each environment's last status snapshot (written by the replica that holds its lease). */
export async function readMonitorStatus(deps: {
  config: Config;
  store: StateStore;
  now: () => number;
  env?: string;
}): Promise<EnvStatus[]> {
  const envs = Object.values(deps.config.environments).filter((e) => !deps.env || e.name === deps.env);
  return Promise.all(
    envs.map(async (e): Promise<EnvStatus> => {
      if (!e.monitor.enabled) return { env: e.name, kind: 'off' };
      const raw = await deps.store.get(statusKey(e.name));
      if (raw === undefined) {
        return {
          env: e.name,
          kind: 'unknown',
          why: deps.store.shared
            ? 'no replica has reported: none holds the lease, or none runs the monitor'
            : 'no report in this process (without STATE_REDIS_URL only the process that runs the monitor knows)',
        };
      }
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const parsed = snapshotSchema.safeParse(json);
      if (!parsed.success) return { env: e.name, kind: 'unknown', why: 'the stored status is unreadable' };
      return {
        env: e.name,
        kind: 'reported',
        status: parsed.data as MonitorStatus,
        ageMs: deps.now() - parsed.data.at,
      };
    }),
  );
}
