import { z } from 'zod';
import { environmentOf, type Config } from '../config/config.js';
import { UserError } from '../core/errors.js';
import type { AuditFlags } from '../diagnostics/sampling/audit-plan.js';
import { runDiagnosis, worstSeverity, type Sources } from '../diagnostics/engine.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import type { Report } from '../diagnostics/types.js';
import type { EnvironmentConfig } from '../config/config.js';
import { managedFixes } from '../remediation/managed/managed-fix.js';
import type { RemediationAction } from '../remediation/types.js';
import { renderReportText } from '../render/terminal.js';
import { createProgressBar } from './progress-bar.js';
import type { CliIo } from './io.js';

export interface DiagnoseArgs {
  envName: string;
  checkIds: string[];
  full: boolean;
  json: boolean;
  sampleSize?: number;
  /** `--fast`: a full audit for a maintenance window instead of the gentle default. */
  fast?: boolean;
  /** `--scan-count N`, `--pause-ms N` as typed: they override the environment's `redis.audit`. */
  scanCount?: string;
  pauseMs?: string;
}

const whole = (flag: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${flag} must be a whole number` })
    .int(`${flag} must be a whole number`)
    .min(min, `${flag} must be at least ${min}`)
    .max(max, `${flag} must be at most ${max}`);
const auditFlagsSchema = z.object({
  fast: z.boolean().optional(),
  scanCount: whole('--scan-count', 1, 100_000).optional(),
  pauseMs: whole('--pause-ms', 0, 10_000).optional(),
});

/** The audit flags of `diagnose`, validated; they only mean something with `--full`. */
export function auditFlagsOf(
  args: Pick<DiagnoseArgs, 'full' | 'fast' | 'scanCount' | 'pauseMs'>,
): AuditFlags | undefined {
  const given = args.fast || args.scanCount !== undefined || args.pauseMs !== undefined;
  if (!given) return undefined;
  if (!args.full) throw new UserError('--fast, --scan-count and --pause-ms tune a full audit: add --full.', 'usage');
  const parsed = auditFlagsSchema.safeParse(args);
  if (!parsed.success) throw new UserError(parsed.error.issues.map((i) => i.message).join('; '), 'usage');
  const f = parsed.data;
  return {
    ...(f.fast ? { fast: true } : {}),
    ...(f.scanCount !== undefined ? { scanCount: f.scanCount } : {}),
    ...(f.pauseMs !== undefined ? { pauseMs: f.pauseMs } : {}),
  };
}

export interface DiagnoseDeps {
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  io: CliIo;
  /** The remediation actions: on a managed service, the text report shows the provider's steps for theirs. */
  actions?: readonly RemediationAction[];
}

/**
 * Exit code of a finished diagnosis: 1 when any finding is critical; else 3 when a check failed or
 * timed out (the report is incomplete: what was not checked may be the cause); else 0.
 */
export function exitCodeFor(report: Report): 0 | 1 | 3 {
  if (worstSeverity(report) === 'critical') return 1;
  return report.checks.some((c) => c.status === 'error') ? 3 : 0;
}

/** Runs one diagnosis and prints it as text (or exactly the report JSON with --json). */
export async function runDiagnoseCli(deps: DiagnoseDeps, args: DiagnoseArgs): Promise<Report> {
  const { io } = deps;
  const audit = auditFlagsOf(args);
  const bar = args.full && io.stderrIsTTY ? createProgressBar(io.stderr) : undefined;
  const report = await runDiagnosis(
    { config: deps.config, registry: deps.registry, sourcesFor: deps.sourcesFor },
    {
      envName: args.envName,
      checkIds: args.checkIds,
      options: {
        full: args.full,
        ...(audit ? { audit } : {}),
        ...(args.sampleSize ? { sampleSize: args.sampleSize } : {}),
        ...(bar ? { onProgress: (done: number, total: number | undefined) => bar.update(done, total) } : {}),
      },
    },
  );
  bar?.done();
  const env = environmentOf(deps.config, args.envName);
  const managed = deps.actions ? managedFixes(env, report.findings, deps.actions) : [];
  io.stdout.write(
    args.json ? `${JSON.stringify(report, null, 2)}\n` : renderReportText(report, { color: io.color }, managed),
  );
  return report;
}
