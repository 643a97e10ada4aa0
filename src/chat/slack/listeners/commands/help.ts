import { z } from 'zod';
import type { CheckRegistry } from '../../../../diagnostics/registry.js';
import type { Subcommand, SubcommandRegistry } from './subcommands.js';

/** `/session-ttl help`: the subcommands and the checks that `diagnose` can run. */
export function helpCommand(deps: { subcommands: () => SubcommandRegistry; checks: CheckRegistry }): Subcommand<void> {
  return {
    name: 'help',
    usage: 'help',
    summary: 'Show this help',
    params: z
      .array(z.string())
      .max(0, '`help` takes no arguments')
      .transform(() => undefined),
    async run(_params, ctx) {
      const commands = deps.subcommands().all.map((s) => `• \`/session-ttl ${s.usage}\` — ${s.summary}`);
      const checks = deps.checks.all.map((c) => `• \`${c.id}\` — ${c.summary}`);
      await ctx.ack(
        [
          '*Session TTL bot* — diagnoses why Redis sessions disappear before their TTL (runbook: SessionTTLViolations).',
          ...commands,
          '*Checks* (all run by default; name some to run only those):',
          ...checks,
        ].join('\n'),
      );
    },
  };
}
