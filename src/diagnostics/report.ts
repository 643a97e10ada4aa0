import type { CheckSummary, Finding } from './finding.js';
import type { ScenarioAssessment } from './scenario-types.js';

/** The report contract printed by `session-ttl diagnose --json`. */
export interface Report {
  environment: string;
  startedAt: string;
  durationMs: number;
  checks: CheckSummary[];
  findings: Finding[];
  /** The runbook's seven scenarios rated by the findings, most likely first. */
  scenarios: ScenarioAssessment[];
}
