import { z } from 'zod';
import type { webApi } from '@slack/bolt';
import { createCoalescer, type Coalescer } from '../../../diagnostics/coalesce.js';
import { runDiagnosis, selectChecks, type EngineDeps } from '../../../diagnostics/engine.js';
import type { Report } from '../../../diagnostics/types.js';
import { renderReportMessage, type RenderOptions } from '../../render/report-blocks.js';
import type { Subcommand } from './subcommands.js';

export interface DiagnoseParams {
  env: string;
  checks: string[];
}

/** Slack errors that mean "the bot may not post here"; the fix is the same for all of them. */
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

function slackErrorCode(err: unknown): string | undefined {
  const data = (err as Partial<webApi.WebAPIPlatformError> | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

export interface DiagnoseCommandDeps extends EngineDeps {
  render?: RenderOptions;
  /** Joins a request to an identical diagnosis already running (default: one per command instance). */
  coalescer?: Coalescer<Report>;
}

/**
 * `/session-ttl diagnose <env> [check ...]`: validates the names before acknowledging (so a typo is
 * answered in the ack and nothing is posted), acknowledges at once, runs the checks and posts the
 * report in the channel.
 */
export function diagnoseCommand(deps: DiagnoseCommandDeps): Subcommand<DiagnoseParams> {
  const coalescer = deps.coalescer ?? createCoalescer<Report>();
  return {
    name: 'diagnose',
    usage: 'diagnose <env> [check ...]',
    summary: 'Run the session TTL checks against an environment and post the report here',
    params: z
      .array(z.string())
      .min(1, 'name an environment, e.g. `diagnose dev` (see `/session-ttl envs`)')
      .transform(([env, ...checks]) => ({ env: env as string, checks })),
    async run(params, ctx) {
      const logger = ctx.logger.child({ env: params.env });
      const { checks } = selectChecks(deps, { envName: params.env, checkIds: params.checks });
      const ids = checks.map((c) => c.id);
      const key = `${params.env}\u0000${[...ids].sort().join(',')}`;
      const joining = coalescer.has(key);
      await ctx.ack(
        joining
          ? `:hourglass_flowing_sand: A diagnosis of *${params.env}* (${ids.join(', ')}) is already running; I will post its report here too.`
          : `:hourglass_flowing_sand: Diagnosing *${params.env}* (${ids.join(', ')}) …`,
      );
      const { result, joined } = coalescer.run(key, () => runDiagnosis(deps, { envName: params.env, checkIds: params.checks }));
      logger.info({ checks: ids, joined }, joined ? 'joined a running diagnosis' : 'diagnosis started');

      const report = await result;
      const message = renderReportMessage(report, deps.render);
      try {
        await ctx.postMessage(message);
      } catch (err) {
        const code = slackErrorCode(err);
        if (code && NOT_IN_CHANNEL.has(code)) {
          // The report is still delivered, to the person who asked, through the command's response_url.
          logger.warn({ slackError: code }, 'cannot post the report in this channel; replying to the user only');
          await ctx.respond({
            text: `I could not post the report in this channel (${code}); here it is, visible only to you. Invite the bot with \`/invite @session-ttl\` to share reports here. ${message.text}`,
            blocks: [
              {
                type: 'context',
                elements: [
                  {
                    type: 'mrkdwn',
                    text: `:warning: I could not post in this channel (${code}); this report is visible only to you. Invite the bot with \`/invite @session-ttl\` to share reports here.`,
                  },
                ],
              },
              ...message.blocks.slice(0, 49),
            ],
          });
          return;
        }
        throw err;
      }
      logger.info(
        { durationMs: report.durationMs, findings: report.findings.map((f) => f.id), checks: report.checks.map((c) => `${c.id}:${c.status}`) },
        'diagnosis posted',
      );
    },
  };
}
