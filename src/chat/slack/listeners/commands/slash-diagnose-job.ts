import { z } from 'zod';
import type { Dispatcher } from '../../../../commands/dispatch.js';
import type { JobKind, JobRun } from '../../../../core/jobs.js';
import { jobChat } from '../../../../core/job-replies.js';
import type { Logger } from '../../../../core/logging.js';
import type { Span } from '../../../../core/message.js';
import type { ChatPort } from '../../../../core/ports/chat.js';
import type { StateStore } from '../../../../core/ports/state-store.js';
import { slackCommandContext, type SlackReplies } from '../../command-context.js';
import { toSlackReply } from '../../render/reply.js';
import type { GroupMembership } from '../../user-groups.js';
import { slackActor } from '../actions/actor.js';

/**
 * What a slash `diagnose` keeps to be answered by any replica: the words typed, who asked where (as Slack
 * signed it), and the response_url to reply through. Never a token; the response_url is never logged.
 */
export const slashJobSchema = z.object({
  text: z.string().max(4000),
  userId: z.string().min(1),
  teamId: z.string(),
  channelId: z.string().min(1),
  enterpriseId: z.string().optional(),
  responseUrl: z.url({ protocol: /^https?$/ }),
});
export type SlashJob = z.infer<typeof slashJobSchema>;

export interface SlashJobDeps {
  dispatcher: Dispatcher;
  chat: ChatPort;
  /** Where each post of a run is recorded, so a run after a crash does not post it again. */
  store: StateStore;
  membership: GroupMembership;
  interrupted?: AbortSignal;
  onCall?: Span;
}

/** Replies through the command's response_url (ephemeral), for a run on a replica that never saw the request. */
function responseUrlReplies(url: string): SlackReplies {
  return {
    async reply(message) {
      const body = JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...toSlackReply(message) });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (!res.ok) throw new Error(`Slack refused the reply through the response_url (HTTP ${res.status})`);
    },
    acked: () => true,
  };
}

/** Runs the command of a slash job with `replies`, its posts recorded per job (at most once across its runs). */
export async function runSlashJob(
  deps: SlashJobDeps,
  p: SlashJob,
  run: { job: JobRun; logger: Logger; replies: SlackReplies },
): Promise<void> {
  const actor = slackActor(
    {
      userId: p.userId,
      teamId: p.teamId,
      channelId: p.channelId,
      ...(p.enterpriseId ? { enterpriseId: p.enterpriseId } : {}),
    },
    deps.membership,
  );
  await deps.dispatcher.run(
    slackCommandContext({
      actor,
      text: p.text,
      replies: run.replies,
      chat: jobChat(deps.store, run.job, deps.chat),
      logger: run.logger,
      ...(deps.interrupted ? { interrupted: deps.interrupted } : {}),
      ...(deps.onCall ? { onCall: deps.onCall } : {}),
    }),
  );
}

/**
 * The job of a slash `diagnose`: run first by the replica that took the request (which acknowledges it), and
 * run again by another replica when that one died before the report was out: the person is answered through
 * the response_url, and the report is posted in the channel at most once.
 */
export function slashDiagnoseJob(deps: SlashJobDeps): JobKind<SlashJob> {
  return {
    kind: 'slash-diagnose',
    payload: slashJobSchema,
    async run(p, job) {
      const logger = job.logger.child({ user: p.userId, channel: p.channelId });
      logger.warn('running a slash diagnose whose replica stopped before it was done');
      await runSlashJob(deps, p, { job, logger, replies: responseUrlReplies(p.responseUrl) });
      return 'done';
    },
  };
}
