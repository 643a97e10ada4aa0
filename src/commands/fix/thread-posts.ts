import type { Message } from '../../core/message.js';
import type { MessageRef } from '../../core/ports/chat.js';
import { appliedMessage, fixedLine, markedReport } from '../../remediation/messages.js';
import type { OpenedContext } from '../../remediation/gitops/track-opened.js';
import type { OpenedPullRequest } from '../../remediation/gitops/pull-request-schema.js';
import type { AppliedResult } from '../../remediation/service.js';
import type { ApplyOutcome } from '../../remediation/types.js';
import type { CommandContext } from '../context.js';
import type { FixDeps } from './fix-deps.js';
import type { RequestThread } from './threads.js';

/** The thread a click came from (the clicked message's thread, or the message as its root), and the message. */
export function clickThread(ctx: CommandContext): RequestThread | undefined {
  const m = ctx.actor.message;
  return m ? { channel: m.channel, ts: m.threadTs ?? m.ts, report: m.ts } : undefined;
}

/** Posts in `thread`, or else in `channel` (default the actor's). */
export async function postInThread(
  ctx: CommandContext,
  thread: MessageRef | undefined,
  message: Message,
  channel?: string,
): Promise<void> {
  await ctx.post(message, thread ? { channel: thread.channel, threadTs: thread.ts } : channel ? { channel } : {});
}

/** The checks the change targets, run again in the thread; whether the findings it answers are gone. */
async function recheck(
  deps: FixDeps,
  ctx: CommandContext,
  thread: MessageRef | undefined,
  applied: AppliedResult,
  channel?: string,
) {
  if (!deps.recheck || applied.dryRun || !applied.outcome?.ok || !applied.recheck.length) return undefined;
  // The bot is stopping (a rollout was not followed to the end): no new checks now.
  if (applied.outcome.rollouts?.some((r) => r.status === 'interrupted')) return undefined;
  try {
    const again = await deps.recheck(applied.record.env, applied.recheck, applied.answers);
    await postInThread(ctx, thread, again.message, channel);
    return again.cleared;
  } catch (err) {
    ctx.logger.warn({ err }, 'could not re-run the checks after the change');
    return undefined;
  }
}

/** Puts "Fixed: … verified ✓" on top of the report the fix was offered in, when something changed. */
async function markReport(
  deps: FixDeps,
  ctx: CommandContext,
  thread: RequestThread | undefined,
  applied: AppliedResult,
  verified: boolean | undefined,
) {
  if (!thread || applied.dryRun || !applied.outcome?.applied.length) return;
  const ref = { channel: thread.channel, ts: thread.report ?? thread.ts };
  try {
    const report = await deps.reports.of(ref);
    if (report) await ctx.update(ref, markedReport(report, fixedLine(applied, verified)));
  } catch (err) {
    ctx.logger.warn({ err }, 'could not mark the report as fixed');
  }
}

/** The thread a request is followed in: the request's, else the clicked message's. */
function followThread(ctx: CommandContext, thread: RequestThread | undefined): MessageRef | undefined {
  const m = ctx.actor.message;
  return thread ?? (m ? { channel: m.channel, ts: m.ts } : undefined);
}

/** Hands an opened request to the follower; a failure to record it is logged (the change itself is done). */
async function track(
  deps: FixDeps,
  ctx: CommandContext,
  thread: RequestThread | undefined,
  opened: OpenedPullRequest,
  context: Omit<OpenedContext, 'thread'>,
): Promise<void> {
  if (!deps.trackPullRequest) return;
  const where = followThread(ctx, thread);
  if (!where) {
    ctx.logger.warn(
      { pendingId: context.pendingId, url: opened.url },
      'pull request opened with no thread to follow it in',
    );
    return;
  }
  try {
    await deps.trackPullRequest(opened, { ...context, thread: { channel: where.channel, ts: where.ts } });
  } catch (err) {
    ctx.logger.warn({ err, url: opened.url }, 'could not record the pull request to follow it');
  }
}

/** GitOps: the request the apply opened is followed; its merge or close is said in this thread. */
async function followPullRequest(
  deps: FixDeps,
  ctx: CommandContext,
  thread: RequestThread | undefined,
  applied: AppliedResult,
): Promise<void> {
  const step = applied.outcome?.pullRequest;
  if (step?.kind !== 'opened') return;
  const { record } = applied;
  await track(deps, ctx, thread, step.pullRequest, {
    env: record.env,
    action: record.action,
    pendingId: record.id,
    requester: record.requester,
    approvers: record.approvals,
    ...(step.restart ? { restart: step.restart } : {}),
  });
}

/**
 * GitOps, a revert whose fix request was merged: the reverting request it opened is followed like the fix's
 * own, so its merge ("the revert is in Git now") or close is said in this thread and audited. Nothing when
 * the revert only closed the fix's request (or did nothing in Git).
 */
export async function followRevertingPullRequest(
  deps: FixDeps,
  ctx: CommandContext,
  thread: RequestThread | undefined,
  reverted: { outcome: ApplyOutcome },
  context: Omit<OpenedContext, 'thread' | 'kind' | 'restart'>,
): Promise<void> {
  const git = reverted.outcome.gitRevert;
  if (!git?.ok || !git.reverting) return;
  await track(deps, ctx, thread, git.reverting, { ...context, kind: 'revert' });
}

/**
 * After an apply, whatever its outcome: what it did (or why it did not) in the request's thread, the checks
 * it targets run again there, and the report it answered marked with the outcome.
 */
export async function postApplied(
  deps: FixDeps,
  ctx: CommandContext,
  thread: RequestThread | undefined,
  applied: AppliedResult,
  channel?: string,
): Promise<void> {
  // Followed before it is announced: a merge seen right after the message is not missed.
  await followPullRequest(deps, ctx, thread, applied);
  await postInThread(ctx, thread, appliedMessage(applied), channel);
  const verified = await recheck(deps, ctx, thread, applied, channel);
  await markReport(deps, ctx, thread, applied, verified);
}
