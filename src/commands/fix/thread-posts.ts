import type { MessageRef } from '../../core/ports/chat.js';
import type { Message } from '../../core/message.js';
import { appliedMessage } from '../../remediation/messages.js';
import type { AppliedResult } from '../../remediation/service.js';
import type { CommandContext } from '../context.js';
import type { FixDeps } from './fix-deps.js';

/** The thread a click came from: the thread of the clicked message, or the message itself as its root. */
export function clickThread(ctx: CommandContext): MessageRef | undefined {
  const m = ctx.actor.message;
  return m ? { channel: m.channel, ts: m.threadTs ?? m.ts } : undefined;
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

/** After a change: what it did, then the checks it targets run again, in the same thread. */
export async function postApplied(
  deps: FixDeps,
  ctx: CommandContext,
  thread: MessageRef | undefined,
  applied: AppliedResult,
  channel?: string,
): Promise<void> {
  await postInThread(ctx, thread, appliedMessage(applied), channel);
  if (!deps.recheck || applied.dryRun || !applied.outcome?.ok || !applied.recheck.length) return;
  try {
    await postInThread(ctx, thread, await deps.recheck(applied.record.env, applied.recheck), channel);
  } catch (err) {
    ctx.logger.warn({ err }, 'could not re-run the checks after the change');
  }
}
