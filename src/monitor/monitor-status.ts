import type { Config } from '../config/config.js';
import type { StateStore } from '../core/ports/state-store.js';
import { type MonitorStatus, parseStatusSnapshot, statusKey } from './status-snapshot.js';

/** One environment as `status` shows it. */
export type EnvStatus =
  | { env: string; kind: 'off' }
  | { env: string; kind: 'unknown'; why: string }
  | { env: string; kind: 'reported'; status: MonitorStatus; ageMs: number };

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
      const status = parseStatusSnapshot(raw);
      if (!status) return { env: e.name, kind: 'unknown', why: 'the stored status is unreadable' };
      return { env: e.name, kind: 'reported', status, ageMs: deps.now() - status.at };
    }),
  );
}
