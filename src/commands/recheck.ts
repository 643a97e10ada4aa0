import type { Message } from '../core/message.js';
import { runDiagnosis, type EngineDeps } from '../diagnostics/engine.js';
import { reportMessage, type ReportMessageOptions } from '../render/report-message.js';

/** The checks a change targets, run again: their report, and whether the findings the change answers are gone. */
export interface Recheck {
  message: Message;
  /** True when every check ran and none of the answered findings is left; undefined when a check could not run. */
  cleared: boolean | undefined;
}

/**
 * After a change, the checks it targets run again and their report is posted in the request's thread,
 * led by a line that says so. Check ids the registry does not know are left out.
 */
export function recheckReport(
  engine: EngineDeps,
  report: ReportMessageOptions = {},
): (env: string, checkIds: readonly string[], answers: readonly string[]) => Promise<Recheck> {
  return async (env, checkIds, answers) => {
    const result = await runDiagnosis(engine, {
      envName: env,
      checkIds: checkIds.filter((id) => engine.registry.get(id)),
    });
    const message = reportMessage(result, report);
    const ran = result.checks.every((c) => c.status === 'ok' || c.status === 'findings');
    const left = result.findings.some((f) => answers.includes(f.id));
    return {
      message: {
        ...message,
        blocks: [
          { kind: 'context', id: 'recheck', items: [[{ text: 'Checks run again after the change:' }]] },
          ...message.blocks,
        ],
      },
      cleared: left ? false : ran ? true : undefined,
    };
  };
}
