import { z } from 'zod';
import type { CheckStatus, Report, Severity } from '../diagnostics/types.js';
import { SCENARIO_NUMBERS, type Likelihood } from '../diagnostics/scenario-types.js';

// A diagnosis report kept in the state store (an alert's diagnosis, shared by the platforms and replicas that
// answer the alert), read back through this schema: a corrupt or foreign record is never rendered.

const SEVERITIES = ['critical', 'warning', 'info'] as const satisfies readonly Severity[];
const STATUSES = ['ok', 'findings', 'error', 'skipped'] as const satisfies readonly CheckStatus[];
const LIKELIHOODS = ['likely', 'possible', 'ruled_out'] as const satisfies readonly Likelihood[];

const finding = z.object({
  id: z.string(),
  check: z.string(),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  detail: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  fix: z.string().optional(),
});

const check = z.object({
  id: z.string(),
  status: z.enum(STATUSES),
  durationMs: z.number(),
  message: z.string().optional(),
});

const scenario = z.object({
  scenario: z.literal(SCENARIO_NUMBERS),
  name: z.string(),
  likelihood: z.enum(LIKELIHOODS),
  evidence: z.array(z.string()),
  unchecked: z.array(z.string()).optional(),
  fix: z.array(z.string()).optional(),
});

/** A stored report (the `--json` contract), checked finding by finding. */
export const storedReportSchema = z.object({
  environment: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  checks: z.array(check),
  findings: z.array(finding),
  scenarios: z.array(scenario),
}) satisfies z.ZodType<Report>;
