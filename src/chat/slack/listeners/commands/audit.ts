import { z } from 'zod';
import { auditMessage } from '../../../../remediation/messages.js';
import type { Remediation } from '../../../../remediation/service.js';
import { toBlockKit } from '../../render/block-kit.js';
import type { Subcommand } from './subcommands.js';

/** `/session-ttl audit <env> [n]`: the newest remediation audit entries, visible only to the person asking. */
export function auditCommand(deps: { remediation: Remediation }): Subcommand<{ env: string; n: number }> {
  return {
    name: 'audit',
    usage: 'audit <env> [count]',
    summary: 'Show the latest remediation audit entries of an environment (requests, approvals, applies, reverts)',
    params: z
      .array(z.string())
      .min(1, 'name an environment, e.g. `audit prod`')
      .max(2, 'at most an environment and a count')
      .refine((a) => a[1] === undefined || /^\d{1,3}$/.test(a[1]), 'the count is a number up to 100')
      .transform(([env, n]) => ({ env: env as string, n: Math.min(100, Math.max(1, Number(n ?? 10))) })),
    async run(params, ctx) {
      const entries = await deps.remediation.recentAudit(params.env, params.n);
      const { text, blocks } = toBlockKit(auditMessage(params.env, entries));
      await ctx.ack(
        `Remediation audit of *${params.env}*: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}.`,
      );
      await ctx.respond({ text, blocks });
    },
  };
}
