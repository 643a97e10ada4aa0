import { z } from 'zod';
import { createCoalescer, type Coalescer } from '../../../../diagnostics/coalesce.js';
import { runDiagnosis, selectChecks, type EngineDeps } from '../../../../diagnostics/engine.js';
import type { Report } from '../../../../diagnostics/types.js';
import type { Message } from '../../../../core/message.js';
import type { ReportActions } from '../../../../remediation/service.js';
import { reportMessage } from '../../../../render/report-message.js';
import { toBlockKit } from '../../render/block-kit.js';
import type { RenderOptions } from '../../render/block-kit.js';
import { notInChannel, slackErrorCode } from '../../slack-errors.js';
import type { Subcommand } from './subcommands.js';

export interface DiagnoseParams {
  env: string;
  checks: string[];
  /** `--full` audits every key, gently (paced) unless `--fast` is given too. */
  full?: boolean;
  fast?: boolean;
}

export interface DiagnoseCommandDeps extends EngineDeps {
  render?: RenderOptions;
  /** The fix buttons a report offers (remediation); absent, reports carry only Re-run and Verify. */
  reportActions?: (env: string, findings: Report['findings']) => Promise<ReportActions>;
  /**
   * Bounds the diagnoses running at once and starts them behind the acknowledgements (the host's intake
   * gate); absent, a diagnosis starts right after its ack.
   */
  limit?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Joins a request to an identical diagnosis already running (default: one per command instance). */
  coalescer?: Coalescer<Report>;
  /**
   * Keeps a report that Slack refused through its retries, to post it in the channel later (the outbox):
   * true when kept, false when the refusal is final; rejects when it cannot keep it.
   */
  postpone?: (post: { channel: string; message: Message; kind: string }, err: unknown) => Promise<boolean>;
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
      .transform(([env, ...rest]) => ({
        env: env as string,
        checks: rest.filter((w) => w !== '--full' && w !== '--fast'),
        full: rest.includes('--full'),
        fast: rest.includes('--fast'),
      }))
      .refine((p) => p.full || !p.fast, '`--fast` tunes a full audit: `diagnose <env> --full --fast`'),
    async run(params, ctx) {
      const logger = ctx.logger.child({ env: params.env });
      const { checks } = selectChecks(deps, { envName: params.env, checkIds: params.checks });
      const ids = checks.map((c) => c.id);
      const audit = params.full ? (params.fast ? ' --full --fast' : ' --full') : '';
      const key = `${params.env}\u0000${[...ids].sort().join(',')}${audit}`;
      const joining = coalescer.has(key);
      await ctx.ack(
        joining
          ? `:hourglass_flowing_sand: A diagnosis of *${params.env}* (${ids.join(', ')}) is already running; I will post its report here too.`
          : `:hourglass_flowing_sand: Diagnosing *${params.env}* (${ids.join(', ')}) …`,
      );
      const options = params.full ? { full: true, ...(params.fast ? { audit: { fast: true } } : {}) } : undefined;
      const diagnose = () =>
        runDiagnosis(deps, { envName: params.env, checkIds: params.checks, ...(options ? { options } : {}) });
      const { result, joined } = coalescer.run(key, deps.limit ? () => deps.limit!(diagnose) : diagnose);
      logger.info({ checks: ids, joined }, joined ? 'joined a running diagnosis' : 'diagnosis started');

      const report = await result;
      const remediation = deps.reportActions
        ? await deps.reportActions(params.env, report.findings).catch((err: unknown) => {
            logger.warn({ err }, 'could not work out the fix buttons; the report goes out without them');
            return undefined;
          })
        : undefined;
      const neutral = reportMessage(report, {
        ...deps.render,
        requestedBy: ctx.command.user_id,
        ...(remediation ? { remediation } : {}),
      });
      try {
        await ctx.chat.post({ channel: ctx.command.channel_id, message: neutral });
      } catch (err) {
        // The report is still delivered, to the person who asked, through the command's response_url:
        // the bot is not in the channel, or Slack refused the post through its retries (429s, 5xx).
        const code = notInChannel(err);
        const why = code ?? slackErrorCode(err) ?? (err as Error).message;
        // An outage passes: the report is also kept, and posted in the channel once Slack takes it.
        const kept =
          !code && deps.postpone
            ? await deps
                .postpone({ channel: ctx.command.channel_id, message: neutral, kind: 'report' }, err)
                .catch((keepErr: unknown) => {
                  logger.error({ err: keepErr }, 'could not keep the report to post it later');
                  return false;
                })
            : false;
        const advice = code
          ? `Invite the bot with \`/invite @session-ttl\` to share reports here.`
          : kept
            ? `I will post it in the channel once Slack takes it.`
            : `Slack did not take the post (${why}); run the command again later to share it in the channel.`;
        const message = toBlockKit(neutral, deps.render);
        logger.warn({ slackError: why, kept }, 'cannot post the report in this channel now; replying to the user');
        try {
          await ctx.respond({
            text: `I could not post the report in this channel (${why}); here it is, visible only to you. ${advice} ${message.text}`,
            blocks: [
              {
                type: 'context',
                elements: [
                  {
                    type: 'mrkdwn',
                    text: `:warning: I could not post in this channel (${why}); this report is visible only to you. ${advice}`,
                  },
                ],
              },
              ...message.blocks.slice(0, 49),
            ],
          });
        } catch (respondErr) {
          logger.error({ err: respondErr }, 'the response_url refused the report too');
          // Kept, the report still reaches the channel later; otherwise the user is told it failed.
          if (!kept) throw err;
        }
        return;
      }
      logger.info(
        {
          durationMs: report.durationMs,
          findings: report.findings.map((f) => f.id),
          checks: report.checks.map((c) => `${c.id}:${c.status}`),
        },
        'diagnosis posted',
      );
    },
  };
}
