import type { Message } from '../core/message.js';
import { runDiagnosis, type EngineDeps } from '../diagnostics/engine.js';
import { reportMessage, type ReportMessageOptions } from '../render/report-message.js';

/**
 * After a change, the checks it targets run again and their report is posted in the request's thread,
 * led by a line that says so. Check ids the registry does not know are left out.
 */
export function recheckReport(
  engine: EngineDeps,
  report: ReportMessageOptions = {},
): (env: string, checkIds: readonly string[]) => Promise<Message> {
  return async (env, checkIds) => {
    const result = await runDiagnosis(engine, {
      envName: env,
      checkIds: checkIds.filter((id) => engine.registry.get(id)),
    });
    const message = reportMessage(result, report);
    return {
      ...message,
      blocks: [
        { kind: 'context', id: 'recheck', items: [[{ text: 'Checks run again after the change:' }]] },
        ...message.blocks,
      ],
    };
  };
}
