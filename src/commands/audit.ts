import { z } from 'zod';
import { t } from '../core/message.js';
import type { Remediation } from '../remediation/service.js';
import { auditView } from './audit-view.js';
import type { Command } from './context.js';
import { linesMessage } from './replies.js';

export interface AuditParams {
  env: string;
  n: number;
}

/** Entries read beyond those shown, to find who requested and approved what an apply or revert shows. */
export const AUDIT_CONTEXT = 200;

/**
 * `audit <env> [n]`: the newest remediation audit entries, visible only to the person asking: each change's
 * before -> after, and who requested and who approved it.
 */
export function auditCommand(deps: { remediation: Pick<Remediation, 'recentAudit'> }): Command<AuditParams> {
  return {
    name: 'audit',
    usage: 'audit <env> [count]',
    summary: 'Show the latest remediation audit entries of an environment (requests, approvals, applies, reverts)',
    params: z
      .array(z.string())
      .min(1, 'name an environment, e.g. `audit prod`')
      .max(2, 'at most an environment and a count')
      .refine((a) => a[1] === undefined || /^\d{1,3}$/.test(a[1]), 'the count is a number up to 100')
      // min(1) above: the first word is there.
      .transform(([env = '', n]) => ({ env, n: Math.min(100, Math.max(1, Number(n ?? 10))) })),
    async run({ env, n }, ctx) {
      const context = await deps.remediation.recentAudit(env, n + AUDIT_CONTEXT);
      const entries = context.slice(0, n);
      const noun = `entr${entries.length === 1 ? 'y' : 'ies'}`;
      await ctx.reply(
        linesMessage([[t('Remediation audit of '), t(env, { bold: true }), t(`: ${entries.length} ${noun}.`)]]),
      );
      return auditView(env, entries, context);
    },
  };
}
