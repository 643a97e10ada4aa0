import { t, type Message } from '../core/message.js';
import type { CommandContext } from './context.js';
import { notice } from './replies.js';

/** What the person reads when a restart cut their command short: what happened and what to type again. */
export function interruptedMessage(invocation: string, text: string): Message {
  const command = `${invocation} ${text.trim()}`;
  return notice('caution', [
    t(command, { code: true }),
    t(
      ' was interrupted by a restart of the bot before it finished; nothing more will be posted for it. Run it again: ',
    ),
    t(command, { code: true }),
  ]);
}

/**
 * Runs `run(ctx)`, cut short when `ctx.interrupted` aborts (shutdown's grace period is over): the person
 * is told the command was interrupted by a restart, with the command to run again, and whatever the
 * abandoned run would still reply or post (a report, or a false "unreachable" once the sources close) is
 * dropped; updates of messages it already posted go through (a progress message finished with the reason).
 * Resolves when the command finished; the host stops waiting for an interrupted one after its last-words time.
 */
export async function runInterruptible(
  ctx: CommandContext,
  run: (ctx: CommandContext) => Promise<void>,
): Promise<void> {
  const interrupted = ctx.interrupted;
  if (!interrupted) return run(ctx);
  let muted = false;
  const drop = (what: string) => ctx.logger.info({ what }, 'not posted: the command was interrupted by a restart');
  const guarded: CommandContext = {
    ...ctx,
    reply: (m) => (muted ? Promise.resolve(drop('reply')) : ctx.reply(m)),
    post: (m, opts) => (muted ? Promise.reject(new Error('interrupted by a restart')) : ctx.post(m, opts)),
  };
  let onAbort = (): void => undefined;
  const aborted = new Promise<'interrupted'>((resolve) => {
    onAbort = () => resolve('interrupted');
    if (interrupted.aborted) onAbort();
    else interrupted.addEventListener('abort', onAbort, { once: true });
  });
  const running = run(guarded);
  const outcome = await Promise.race([running.then(() => 'done' as const), aborted]);
  interrupted.removeEventListener('abort', onAbort);
  if (outcome === 'done') return;
  muted = true;
  ctx.logger.warn({ command: ctx.text }, 'command interrupted by a restart; told the user to run it again');
  try {
    await ctx.reply(interruptedMessage(ctx.invocation, ctx.text));
  } catch (err) {
    ctx.logger.error({ err }, 'could not tell the user that their command was interrupted');
  }
  // Still tracked, so that its clean-up (a verify canary) gets the host's last-words time before the sources close.
  await running.catch(() => undefined);
}
