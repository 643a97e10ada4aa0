import { z } from 'zod';
import { t, type Inline } from '../core/message.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import type { Command } from './context.js';
import type { CommandRegistry } from './registry.js';
import { linesMessage } from './replies.js';

/** `help`: the commands and the checks that `diagnose` can run. */
export function helpCommand(deps: { commands: () => CommandRegistry; checks: CheckRegistry }): Command<void> {
  return {
    name: 'help',
    usage: 'help',
    summary: 'Show this help',
    params: z
      .array(z.string())
      .max(0, '`help` takes no arguments')
      .transform(() => undefined),
    async run(_params, ctx) {
      const item = (name: string, summary: string): Inline => [t('• '), t(name, { code: true }), t(` — ${summary}`)];
      return linesMessage([
        [
          t('Session TTL bot', { bold: true }),
          t(' — diagnoses why Redis sessions disappear before their TTL (runbook: SessionTTLViolations).'),
        ],
        ...deps.commands().all.map((c) => item(`${ctx.invocation} ${c.usage}`, c.summary)),
        [t('Checks', { bold: true }), t(' (all run by default; name some to run only those):')],
        ...deps.checks.all.map((c) => item(c.id, c.summary)),
      ]);
    },
  };
}
