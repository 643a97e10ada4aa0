import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Dispatcher } from '../../../../commands/dispatch.js';
import type { InFlight } from '../../../../core/feature.js';
import { requestId, type Logger } from '../../../../core/logging.js';
import type { Span } from '../../../../core/message.js';
import type { ChatPort } from '../../../../core/ports/chat.js';
import { clickReplies, slackCommandContext } from '../../command-context.js';
import type { GroupMembership } from '../../user-groups.js';
import { actorOf, slackActor } from './actor.js';

// A button's value is its opaque ref; nothing else of the action is read.
const buttonSchema = z.object({ value: z.string().max(2000) });

/**
 * Buttons that are commands (Re-run, Verify): a click re-enters the dispatcher as `<command> <ref>`, the
 * path a typed command takes, with who clicked where taken from what Slack signed.
 */
export function registerCommandButtons(
  app: App,
  deps: {
    dispatcher: Dispatcher;
    chat: ChatPort;
    membership: GroupMembership;
    work: InFlight;
    logger: Logger;
    onCall?: Span;
  },
): void {
  for (const command of deps.dispatcher.commands.all.filter((c) => c.button)) {
    app.action(command.name, async ({ ack, body, action, respond }) => {
      await ack();
      const who = actorOf(body);
      const button = buttonSchema.safeParse(action);
      if (!who || !button.success) return;
      const logger = deps.logger.child({
        req: requestId(),
        user: who.userId,
        channel: who.channelId,
        button: command.name,
      });
      const ctx = slackCommandContext({
        actor: slackActor(who, deps.membership),
        text: `${command.name} ${button.data.value}`,
        replies: clickReplies(respond),
        chat: deps.chat,
        logger,
        interrupted: deps.work.interrupted,
        ...(deps.onCall ? { onCall: deps.onCall } : {}),
      });
      await deps.work.run(() => deps.dispatcher.button(ctx, { command: command.name, ref: button.data.value }));
    });
  }
}
