import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Command, CommandContext } from './context.js';
import { notice, platformName } from './replies.js';
import { createCoalescer, type Coalescer } from '../diagnostics/coalesce.js';
import { runDiagnosis, selectChecks, type EngineDeps } from '../diagnostics/engine.js';
import type { Report } from '../diagnostics/types.js';
import type { Logger } from '../core/logging.js';
import { plainText, t, type Inline, type Message } from '../core/message.js';
import { ChatError, chatErrorCode, type MessageRef, type Postpone } from '../core/ports/chat.js';
import type { ReportActions } from '../remediation/service.js';
import { reportMessage, type ReportMessageOptions } from '../render/report-message.js';

export interface DiagnoseParams {
  env: string;
  checks: string[];
  /** `--full` audits every key, gently (paced) unless `--fast` is given too. */
  full?: boolean;
  fast?: boolean;
}

export interface DiagnoseCommandDeps extends EngineDeps {
  report?: ReportMessageOptions;
  /** The fix buttons a report offers (remediation); absent, reports carry only Re-run and Verify. */
  reportActions?: (env: string, findings: Report['findings']) => Promise<ReportActions>;
  /**
   * Bounds the diagnoses running at once and starts them behind the acknowledgements (the host's intake
   * gate); absent, a diagnosis starts right after its ack.
   */
  limit?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Joins a request to an identical diagnosis already running (default: one per command instance). */
  coalescer?: Coalescer<Report>;
  /** Keeps a report that the chat platform refused for now, to post it in the channel later (the outbox). */
  postpone?: Postpone;
  /** Keeps a posted report that offers fixes, so that an applied fix can mark it ("Fixed: …"). */
  rememberReport?: (ref: MessageRef, report: Message) => Promise<void>;
}

const paramsSchema = z
  .array(z.string())
  .min(1, 'name an environment, e.g. `diagnose dev` (see `envs`)')
  .transform(([env = '', ...rest]) => ({
    env,
    checks: rest.filter((w) => w !== '--full' && w !== '--fast'),
    full: rest.includes('--full'),
    fast: rest.includes('--fast'),
  }))
  .refine((p) => p.full || !p.fast, '`--fast` tunes a full audit: `diagnose <env> --full --fast`');

/** The report as a reply to the person who asked, led by why it is not in the channel and what happens next. */
function notPostedMessage(report: Message, why: string, advice: Inline): Message {
  const lead: Inline = [
    { icon: 'caution' },
    t(` I could not post in this channel (${why}); this report is visible only to you. `),
    ...advice,
  ];
  return {
    text: `I could not post the report in this channel (${why}); here it is, visible only to you. ${plainText(advice)} ${report.text}`,
    blocks: [{ kind: 'context', id: 'not-posted', items: [lead] }, ...report.blocks],
    ...(report.overflow ? { overflow: report.overflow } : {}),
  };
}

/**
 * The report reaches the person who asked, visible only to them, when it cannot be posted in the channel:
 * the bot is not in it, or the platform refused the post through its retries (then it is also kept, to be
 * posted in the channel once the platform takes it).
 */
async function replyInstead(
  deps: DiagnoseCommandDeps,
  ctx: CommandContext,
  logger: Logger,
  report: Message,
  err: unknown,
  key: string,
): Promise<void> {
  const why = chatErrorCode(err);
  const invite = err instanceof ChatError && err.kind === 'not_in_channel' ? err : undefined;
  const kept =
    !invite && deps.postpone
      ? await deps
          .postpone(
            { channel: ctx.actor.channelId, message: report, kind: 'report', key, platform: ctx.actor.platform },
            err,
          )
          .catch((keepErr: unknown) => {
            logger.error({ err: keepErr }, 'could not keep the report to post it later');
            return false;
          })
      : false;
  const platform = platformName(ctx.actor.platform);
  const advice: Inline = invite
    ? [...(invite.advice ?? [t('Invite the bot')]), t(' to share reports here.')]
    : kept
      ? [t(`I will post it in the channel once ${platform} takes it.`)]
      : [t(`${platform} did not take the post (${why}); run the command again later to share it in the channel.`)];
  logger.warn({ chatError: why, kept }, 'cannot post the report in this channel now; replying to the user');
  try {
    await ctx.reply(notPostedMessage(report, why, advice));
  } catch (replyErr) {
    logger.error({ err: replyErr }, 'the reply refused the report too');
    // Kept, the report still reaches the channel later; otherwise the person is told it failed.
    if (!kept) throw err;
  }
}

/** The first answer: the diagnosis started, or the person joins an identical one already running. */
function startedNotice(env: string, ids: readonly string[], joining: boolean): Message {
  const name = t(env, { bold: true });
  const checks = ids.join(', ');
  return joining
    ? notice('hourglass', [
        t('A diagnosis of '),
        name,
        t(` (${checks}) is already running; I will post its report here too.`),
      ])
    : notice('hourglass', [t('Diagnosing '), name, t(` (${checks}) …`)]);
}

/** Answers at once, then runs the diagnosis (or joins an identical one), within the intake's limit. */
async function diagnose(
  deps: DiagnoseCommandDeps,
  coalescer: Coalescer<Report>,
  params: DiagnoseParams,
  ctx: CommandContext,
): Promise<Report> {
  const { checks } = selectChecks(deps, { envName: params.env, checkIds: params.checks });
  const ids = checks.map((c) => c.id);
  const audit = params.full ? (params.fast ? ' --full --fast' : ' --full') : '';
  const key = `${params.env}\u0000${[...ids].sort().join(',')}${audit}`;
  await ctx.reply(startedNotice(params.env, ids, coalescer.has(key)));
  const options = params.full ? { full: true, ...(params.fast ? { audit: { fast: true } } : {}) } : undefined;
  const run = () =>
    runDiagnosis(deps, { envName: params.env, checkIds: params.checks, ...(options ? { options } : {}) });
  const limit = deps.limit;
  const { result, joined } = coalescer.run(key, limit ? () => limit(run) : run);
  ctx.logger.info(
    { env: params.env, checks: ids, joined },
    joined ? 'joined a running diagnosis' : 'diagnosis started',
  );
  return result;
}

/** The report as a message: the fix buttons remediation offers (left out if they cannot be worked out), who asked. */
async function render(
  deps: DiagnoseCommandDeps,
  report: Report,
  ctx: CommandContext,
  logger: Logger,
): Promise<Message> {
  const remediation = deps.reportActions
    ? await deps.reportActions(report.environment, report.findings).catch((err: unknown) => {
        logger.warn({ err }, 'could not work out the fix buttons; the report goes out without them');
        return undefined;
      })
    : undefined;
  return reportMessage(report, {
    ...deps.report,
    ...(ctx.onCall ? { onCall: ctx.onCall } : {}),
    requestedBy: ctx.actor.userId,
    ...(remediation ? { remediation } : {}),
  });
}

/** A report with fix buttons is kept (best effort), so the fix applied from it can mark it. */
async function remember(deps: DiagnoseCommandDeps, ref: MessageRef, message: Message, logger: Logger) {
  const fixes = message.blocks.some((b) => b.kind === 'actions' && b.actions.some((a) => a.command.startsWith('fix:')));
  if (!fixes || !deps.rememberReport) return;
  await deps.rememberReport(ref, message).catch((err: unknown) => {
    logger.warn({ err }, 'could not keep the report for its fixes; an applied fix will not mark it');
  });
}

/**
 * `diagnose <env> [check ...]`: validates the names before answering (so a typo is answered at once and
 * nothing is posted), answers at once, runs the checks and posts the report in the channel.
 */
export function diagnoseCommand(deps: DiagnoseCommandDeps): Command<DiagnoseParams> {
  const coalescer = deps.coalescer ?? createCoalescer<Report>();
  return {
    name: 'diagnose',
    usage: 'diagnose <env> [check ...]',
    summary: 'Run the session TTL checks against an environment and post the report here',
    params: paramsSchema,
    button: true,
    async run(params, ctx) {
      const logger = ctx.logger.child({ env: params.env });
      const report = await diagnose(deps, coalescer, params, ctx);
      const message = await render(deps, report, ctx, logger);
      let posted: MessageRef;
      // One key for every try of this report, the outbox's included: Slack shows it once.
      const key = randomUUID();
      try {
        posted = await ctx.post(message, { key });
      } catch (err) {
        await replyInstead(deps, ctx, logger, message, err, key);
        return;
      }
      await remember(deps, posted, message, logger);
      const checks = report.checks.map((c) => `${c.id}:${c.status}`);
      const findings = report.findings.map((f) => f.id);
      logger.info({ durationMs: report.durationMs, findings, checks }, 'diagnosis posted');
    },
  };
}
