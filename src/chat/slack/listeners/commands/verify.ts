import { openCanaryRedis } from '../../../../adapters/redis/canary-redis.js';
import { z } from 'zod';
import type { Config } from '../../../../config/config.js';
import { UserError } from '../../../../core/errors.js';
import type { ChatPort } from '../../../../core/ports/chat.js';
import type { Decision } from '../../../../remediation/policy.js';
import type { Actor } from '../../../../remediation/service.js';
import { planVerify, type PlanVerifyOptions } from '../../../../verify/plan-verify.js';
import { verifyMessage, verifyProgressMessage } from '../../../../verify/verify-message.js';
import { notInChannel, slackErrorCode } from '../../slack-errors.js';
import { runVerify } from '../../../../verify/run-verify.js';
import type { Subcommand } from './subcommands.js';

export interface VerifyCommandDeps {
  config: Config;
  chat: ChatPort;
  /** Where the env vars named in the config (passwordEnv, tokenEnv) are read. */
  processEnv: NodeJS.ProcessEnv;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  openRedis?: PlanVerifyOptions['openRedis'];
  /** verify writes a canary key: `access.environments.<env>.verify` decides who may run it, when set. */
  authorize?: (actor: Actor, env: string) => Promise<Decision>;
  /** Aborted when the bot's shutdown grace period is over: the canary is removed and the message finished. */
  interrupted?: () => AbortSignal | undefined;
}

export interface VerifyParams {
  env: string;
}

/**
 * `/session-ttl verify <env>`: the runbook's Verification as a canary. Configuration problems are
 * answered in the ack and nothing is written; otherwise one message is posted in the channel, updated
 * with the progress while the canary waits (`env.verify.waitSeconds`) and then with the verdict.
 */
export function verifyCommand(deps: VerifyCommandDeps): Subcommand<VerifyParams> {
  return {
    name: 'verify',
    usage: 'verify <env>',
    summary:
      "Check that sessions keep their TTL: a canary session's TTL is read, re-read after a wait and (with the app API) after an access",
    params: z
      .array(z.string())
      .length(1, 'name one environment, e.g. `verify dev` (see `/session-ttl envs`)')
      .transform(([env]) => ({ env: env as string })),
    async run(params, ctx) {
      const logger = ctx.logger.child({ env: params.env });
      if (deps.authorize) {
        const actor = {
          userId: ctx.command.user_id,
          teamId: ctx.command.team_id ?? '',
          channelId: ctx.command.channel_id,
        };
        const decision = await deps.authorize(actor, params.env);
        if (!decision.allowed) throw new UserError(decision.why, 'denied');
      }
      const plan = planVerify({
        config: deps.config,
        envName: params.env,
        processEnv: deps.processEnv,
        openRedis: deps.openRedis ?? openCanaryRedis,
      });
      try {
        const mode = plan.app ? 'app' : 'canary';
        await ctx.ack(
          `:hourglass_flowing_sand: Verifying *${plan.env.name}* (${mode === 'app' ? 'a test session through the app API' : 'a canary key'}, ${plan.waitSeconds} s wait) …`,
        );
        const channel = ctx.command.channel_id;
        let ts: string;
        try {
          ({ ts } = await deps.chat.post({
            channel,
            message: verifyProgressMessage({
              phase: 'writing',
              environment: plan.env.name,
              mode,
              waitSeconds: plan.waitSeconds,
            }),
          }));
        } catch (err) {
          const code = notInChannel(err);
          if (code) {
            logger.warn({ slackError: code }, 'cannot post the verification in this channel');
            throw new UserError(
              `I could not post in this channel (${code}), so I did not start the verification. Invite the bot with \`/invite @session-ttl\` and run the command again.`,
              'not_in_channel',
            );
          }
          throw err;
        }
        logger.info({ mode, waitSeconds: plan.waitSeconds }, 'verification started');

        const signal = deps.interrupted?.();
        const result = await runVerify(plan, {
          ...(signal ? { signal } : {}),
          ...(deps.now ? { now: deps.now } : {}),
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
          onProgress: async (p) => {
            if (p.phase !== 'waiting') return;
            try {
              await deps.chat.update({ channel, ts, message: verifyProgressMessage(p) });
            } catch (err) {
              logger.warn(
                { slackError: slackErrorCode(err) ?? (err as Error).message },
                'could not update the verification progress',
              );
            }
          },
        });
        await deps.chat.update({ channel, ts, message: verifyMessage(result) });
        logger.info(
          {
            verdict: result.verdict,
            mode: result.mode,
            reasons: result.reasons,
            measurements: result.measurements,
            cleanup: result.cleanup.status,
            durationMs: result.durationMs,
          },
          'verification posted',
        );
      } finally {
        await plan.close();
      }
    },
  };
}
