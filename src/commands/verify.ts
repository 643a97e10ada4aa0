import { z } from 'zod';
import type { Actor, Command, CommandContext } from './context.js';
import { notice } from './replies.js';
import type { Config } from '../config/config.js';
import { UserError } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import { t } from '../core/message.js';
import { ChatError, chatErrorCode, type MessageRef } from '../core/ports/chat.js';
import type { Decision } from '../remediation/policy.js';
import { planVerify, type PlanVerifyOptions, type VerifyPlan } from '../verify/plan-verify.js';
import { runVerify } from '../verify/run-verify.js';
import { verifyMessage, verifyProgressMessage } from '../verify/verify-message.js';

export interface VerifyCommandDeps {
  config: Config;
  /** Where the env vars named in the config (passwordEnv, tokenEnv) are read. */
  processEnv: NodeJS.ProcessEnv;
  /** Opens the canary's Redis connection (the adapter, given by the composition root). */
  openRedis: PlanVerifyOptions['openRedis'];
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** verify writes a canary key: `access.environments.<env>.verify` decides who may run it, when set. */
  authorize?: (actor: Actor, env: string) => Promise<Decision>;
}

export interface VerifyParams {
  env: string;
}

/** Posts the first progress message; undefined (and the person told why) when the bot may not post here. */
async function postProgress(ctx: CommandContext, plan: VerifyPlan, logger: Logger): Promise<MessageRef | undefined> {
  const mode = plan.app ? 'app' : 'canary';
  try {
    return await ctx.post(
      verifyProgressMessage({ phase: 'writing', environment: plan.env.name, mode, waitSeconds: plan.waitSeconds }),
    );
  } catch (err) {
    if (!(err instanceof ChatError) || err.kind !== 'not_in_channel') throw err;
    logger.warn({ chatError: err.code }, 'cannot post the verification in this channel');
    await ctx.reply(
      notice('caution', [
        t(`I could not post in this channel (${err.code}), so I did not start the verification. `),
        ...(err.advice ?? [t('Invite the bot')]),
        t(' and run the command again.'),
      ]),
    );
    return undefined;
  }
}

/** Runs the canary, updating the progress message while it waits and then with the verdict. */
async function runAndReport(
  ctx: CommandContext,
  deps: VerifyCommandDeps,
  plan: VerifyPlan,
  ref: MessageRef,
  logger: Logger,
) {
  const result = await runVerify(plan, {
    ...(ctx.interrupted ? { signal: ctx.interrupted } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    onProgress: async (p) => {
      if (p.phase !== 'waiting') return;
      try {
        await ctx.update(ref, verifyProgressMessage(p));
      } catch (err) {
        logger.warn({ chatError: chatErrorCode(err) }, 'could not update the verification progress');
      }
    },
  });
  await ctx.update(ref, verifyMessage(result));
  const { verdict, mode, reasons, measurements, durationMs } = result;
  logger.info(
    { verdict, mode, reasons, measurements, cleanup: result.cleanup.status, durationMs },
    'verification posted',
  );
}

/**
 * `verify <env>`: the runbook's Verification as a canary. Configuration problems are answered at once and
 * nothing is written; otherwise one message is posted in the channel, updated with the progress while the
 * canary waits (`env.verify.waitSeconds`) and then with the verdict.
 */
export function verifyCommand(deps: VerifyCommandDeps): Command<VerifyParams> {
  return {
    name: 'verify',
    usage: 'verify <env>',
    summary:
      "Check that sessions keep their TTL: a canary session's TTL is read, re-read after a wait and (with the app API) after an access",
    params: z
      .array(z.string())
      .length(1, 'name one environment, e.g. `verify dev` (see `envs`)')
      .transform(([env = '']) => ({ env })),
    button: true,
    async run(params, ctx) {
      const logger = ctx.logger.child({ env: params.env });
      if (deps.authorize) {
        const decision = await deps.authorize(ctx.actor, params.env);
        if (!decision.allowed) throw new UserError(decision.why, 'denied');
      }
      const plan = planVerify({
        config: deps.config,
        envName: params.env,
        processEnv: deps.processEnv,
        openRedis: deps.openRedis,
      });
      try {
        const what = plan.app ? 'a test session through the app API' : 'a canary key';
        const env = t(plan.env.name, { bold: true });
        await ctx.reply(notice('hourglass', [t('Verifying '), env, t(` (${what}, ${plan.waitSeconds} s wait) …`)]));
        const ref = await postProgress(ctx, plan, logger);
        if (!ref) return;
        logger.info({ mode: plan.app ? 'app' : 'canary', waitSeconds: plan.waitSeconds }, 'verification started');
        await runAndReport(ctx, deps, plan, ref, logger);
      } finally {
        await plan.close();
      }
    },
  };
}
