import type { ChatPort } from '../../core/ports/chat.js';
import type { Logger } from '../../core/logging.js';
import { finishedMessage, interruptedMessage } from '../../remediation/interrupted-message.js';
import { noticeMessage } from '../../remediation/messages.js';
import type { InterruptedApply, Remediation } from '../../remediation/service.js';
import type { CommandContext } from '../context.js';
import { interruptedOf } from './decide.js';
import type { FixDeps } from './fix-deps.js';
import { clickThread, postInThread } from './thread-posts.js';
import type { ThreadMemory } from './threads.js';

/** What the reconciler needs: the flow (it takes the applies over), the request threads, and the chat to post in. */
export interface ReconcileDeps {
  remediation: Pick<Remediation, 'reconcile'>;
  threads: ThreadMemory;
  chat: ChatPort;
  logger: Logger;
}

/** Posts what was found in the request's thread (its channel when the thread is not known). */
async function postFound(deps: ReconcileDeps, i: InterruptedApply): Promise<void> {
  const thread = await deps.threads.of(i.journal.id);
  const channel = thread?.channel ?? i.journal.actor.channelId;
  await deps.chat.post({ channel, ...(thread ? { threadTs: thread.ts } : {}), message: interruptedMessage(i) });
}

/**
 * One look of the reconciler: the applies whose replica died are taken over (on one replica each) and what
 * each found is posted in its request's thread, with Finish and Revert. Failures are logged, never thrown.
 */
export async function reconcileOnce(deps: ReconcileDeps): Promise<number> {
  const taken = await deps.remediation.reconcile();
  for (const i of taken) {
    deps.logger.warn({ pendingId: i.journal.id, env: i.journal.env, action: i.journal.action }, i.message);
    try {
      await postFound(deps, i);
    } catch (err) {
      deps.logger.error({ err, pendingId: i.journal.id }, 'could not post the interrupted apply in its thread');
    }
  }
  return taken.length;
}

/** Finish of an interrupted apply: the missing changes are made; the thread hears what, with Revert. */
export async function finishFix(deps: FixDeps, ctx: CommandContext, pendingId: string): Promise<void> {
  const result = await deps.remediation.finish(ctx.actor, pendingId, interruptedOf(ctx));
  if (!result.ok) {
    await ctx.reply(noticeMessage('warning', result.message));
    return;
  }
  const thread = (await deps.threads.of(pendingId)) ?? clickThread(ctx);
  const clicked = ctx.actor.message;
  // The interrupted post loses its buttons once finished: nothing is left to click on it.
  if (clicked && result.outcome.ok)
    await ctx.update(clicked, noticeMessage('ok', `${result.message} (finished by <@${ctx.actor.userId}>)`));
  await postInThread(ctx, thread, finishedMessage(result, ctx.actor.userId));
}
