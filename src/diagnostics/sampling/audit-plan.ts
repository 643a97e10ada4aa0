import type { AuditSettings } from '../../config/diagnosis-defaults.js';

/** What the caller asked for one run (`--fast`, `--scan-count`, `--pause-ms`). */
export interface AuditFlags {
  fast?: boolean;
  scanCount?: number;
  pauseMs?: number;
}

/** How a full audit reads every key, resolved from the run's flags, the environment and the defaults. */
export interface AuditPlan {
  /** gentle: small paced batches on a live store (the default); fast: a maintenance window. */
  mode: 'gentle' | 'fast';
  /** SCAN COUNT per batch. */
  scanCount: number;
  /** Pause after each batch, in ms (0 in fast mode). */
  pauseMs: number;
  /** Fast mode: whether the script is tried before the lean pipeline. */
  script: boolean;
}

/**
 * Flags win over the environment's `redis.audit`, which wins over `defaults.audit`. Fast is only ever
 * what was asked for: no setting makes it the default.
 *
 * @example auditPlanFor({ fast: true }, { fastScanCount: 500 }, defaults) // { mode: 'fast', scanCount: 500, pauseMs: 0, script: true }
 */
export function auditPlanFor(
  flags: AuditFlags | undefined,
  env: Partial<AuditSettings> | undefined,
  defaults: AuditSettings,
): AuditPlan {
  const s = { ...defaults, ...env };
  if (flags?.fast === true) {
    return {
      mode: 'fast',
      scanCount: flags.scanCount ?? s.fastScanCount,
      pauseMs: flags.pauseMs ?? 0,
      script: s.script,
    };
  }
  return {
    mode: 'gentle',
    scanCount: flags?.scanCount ?? s.scanCount,
    pauseMs: flags?.pauseMs ?? s.pauseMs,
    script: s.script,
  };
}
