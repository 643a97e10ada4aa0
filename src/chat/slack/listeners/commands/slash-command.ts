import type { SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseCommandText } from '../../../../commands/command-text.js';
import type { Dispatcher } from '../../../../commands/dispatch.js';
import type { SubmitJob } from '../../../../core/jobs.js';
import { requestId as defaultRequestId, type Logger } from '../../../../core/logging.js';
import type { Span } from '../../../../core/message.js';
import type { ChatPort } from '../../../../core/ports/chat.js';
import { COMMAND_NAME, slackCommandContext, slashReplies, type SlackReplies } from '../../command-context.js';
import type { GroupMembership } from '../../user-groups.js';
import { slackActor } from '../actions/actor.js';
import { runSlashJob, slashJobSchema, type SlashJob, type SlashJobDeps } from './slash-diagnose-job.js';

export interface SlashCommandDeps {
  dispatcher: Dispatcher;
  chat: ChatPort;
  membership: GroupMembership;
  logger: Logger;
  requestId?: () => string;
  /** Aborted when shutdown's grace period is over: a command still running is answered "interrupted". */
  interrupted?: AbortSignal;
  /** The on-call user group's mention, for severe escalations in reports. */
  onCall?: Span;
  /**
   * A slash `diagnose` kept as a job in the state store before it is acknowledged, so another replica runs
   * it when this one dies mid-way; absent (or the store failing), it runs here only.
   */
  durable?: { submit: SubmitJob<SlashJob>; run: SlashJobDeps };
}

/** Whether the words typed are a `diagnose` (the one command kept as a job). */
function isDiagnose(text: string): boolean {
  try {
    return parseCommandText(text, COMMAND_NAME).name === 'diagnose';
  } catch {
    return false;
  }
}

/**
 * Keeps the command as a job and runs it here with the request's own replies (the first one acknowledges
 * it); resolves once that run is over. False when it could not be kept: the caller runs it as before.
 */
async function runAsJob(
  durable: NonNullable<SlashCommandDeps['durable']>,
  job: SlashJob,
  replies: SlackReplies,
  logger: Logger,
): Promise<boolean> {
  let finished = () => undefined as void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  try {
    await durable.submit(job, async (run) => {
      try {
        await runSlashJob(durable.run, job, { job: run, logger: logger.child({ job: run.id }), replies });
      } finally {
        finished();
      }
      return 'done';
    });
  } catch (err) {
    logger.warn({ err }, 'could not keep the diagnose command in the state store; running it here only');
    return false;
  }
  await done;
  return true;
}

/**
 * The `/session-ttl` listener: what Slack signed (user, team, channel, the text) becomes the neutral
 * command context, and the dispatcher runs the command. Each request gets a child logger
 * `{ req, user, channel }`; a command that never replied is acknowledged empty (Slack would show a timeout).
 */
export function createSlashCommandListener(
  deps: SlashCommandDeps,
): (args: SlackCommandMiddlewareArgs) => Promise<void> {
  const newId = deps.requestId ?? defaultRequestId;
  return async ({ command, ack, respond }) => {
    const logger = deps.logger.child({ req: newId(), user: command.user_id, channel: command.channel_id });
    const replies = slashReplies(ack, respond);
    const job = slashJobSchema.safeParse({
      text: command.text,
      userId: command.user_id,
      teamId: command.team_id,
      channelId: command.channel_id,
      ...(command.enterprise_id ? { enterpriseId: command.enterprise_id } : {}),
      responseUrl: command.response_url,
    });
    if (deps.durable && job.success && isDiagnose(command.text)) {
      if (await runAsJob(deps.durable, job.data, replies, logger)) {
        if (!replies.acked()) await ack();
        return;
      }
    }
    const actor = slackActor(
      {
        userId: command.user_id,
        teamId: command.team_id,
        channelId: command.channel_id,
        ...(command.enterprise_id ? { enterpriseId: command.enterprise_id } : {}),
      },
      deps.membership,
    );
    await deps.dispatcher.run(
      slackCommandContext({
        actor,
        text: command.text,
        replies,
        chat: deps.chat,
        logger,
        ...(deps.interrupted ? { interrupted: deps.interrupted } : {}),
        ...(deps.onCall ? { onCall: deps.onCall } : {}),
      }),
    );
    if (!replies.acked()) await ack();
  };
}
