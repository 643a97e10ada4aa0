// What a check returns and how the report tells how each check went. Pure data, no imports.

/** How bad a finding is. `critical` makes the CLI exit 1. */
export type Severity = 'critical' | 'warning' | 'info';

/**
 * One thing a check saw. Pure data: the Slack, terminal and JSON renderers all draw from it.
 *
 * @example
 * { id: 'ttl.no_expiry', check: 'ttl-sample', severity: 'warning',
 *   title: '20 of 1,000 sampled sessions never expire', detail: '...',
 *   evidence: { noExpiry: 20, sampled: 1000, samples: ['session:ab12'] },
 *   fix: 'Write sessions with SETEX or SET ... EX <ttl>.' }
 */
export interface Finding {
  /** Stable id, a contract (e.g. `memory.high_usage`). */
  id: string;
  /** Id of the check that raised it. */
  check: string;
  severity: Severity;
  title: string;
  detail: string;
  evidence: Record<string, unknown>;
  fix?: string;
}

/** A finding before the engine stamps the check id on it. */
export type RawFinding = Omit<Finding, 'check'>;

export type CheckStatus = 'ok' | 'findings' | 'error' | 'skipped';

export interface CheckSummary {
  id: string;
  status: CheckStatus;
  durationMs: number;
  message?: string;
}
