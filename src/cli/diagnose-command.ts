import type { Config } from '../config/config.js';
import { runDiagnosis, worstSeverity, type Sources } from '../diagnostics/engine.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import type { Report } from '../diagnostics/types.js';
import type { EnvironmentConfig } from '../config/config.js';
import { renderReportText } from '../render/terminal.js';
import { createProgressBar } from './progress-bar.js';
import type { CliIo } from './io.js';

export interface DiagnoseArgs {
  envName: string;
  checkIds: string[];
  full: boolean;
  json: boolean;
  sampleSize?: number;
}

export interface DiagnoseDeps {
  config: Config;
  registry: CheckRegistry;
  sourcesFor: (env: EnvironmentConfig) => Sources;
  io: CliIo;
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
export async function diagnoseCommand(deps: DiagnoseDeps, args: DiagnoseArgs): Promise<Report> {
  const { io } = deps;
  const bar = args.full && io.stderrIsTTY ? createProgressBar(io.stderr) : undefined;
  const report = await runDiagnosis(
    { config: deps.config, registry: deps.registry, sourcesFor: deps.sourcesFor },
    {
      envName: args.envName,
      checkIds: args.checkIds,
      options: {
        full: args.full,
        ...(args.sampleSize ? { sampleSize: args.sampleSize } : {}),
        ...(bar ? { onProgress: (done: number, total: number | undefined) => bar.update(done, total) } : {}),
      },
    },
  );
  bar?.done();
  io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderReportText(report, { color: io.color }));
  return report;
}
