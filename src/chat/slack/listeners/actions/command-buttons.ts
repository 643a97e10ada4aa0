import type { App } from '@slack/bolt';
import type { ChatPort } from '../../../../core/ports/chat.js';
import type { InFlight } from '../../../../core/feature.js';
import { requestId, type Logger } from '../../../../core/logging.js';
import { dispatchInterruptible } from '../commands/command-router.js';
import type { CommandContext, SubcommandRegistry } from '../commands/subcommands.js';
import { actorOf } from './actor.js';

/** Buttons that are commands: the click runs `/session-ttl <command> <ref>` on the typed-command path. */
export const COMMAND_BUTTONS = ['diagnose', 'verify'] as const;

export function registerCommandButtons(
  app: App,
  deps: {
    subcommands: SubcommandRegistry;
    chat: ChatPort;
    work: InFlight;
    logger: Logger;
    observeCommand?: (subcommand: string, seconds: number) => void;
  },
): void {
  for (const name of COMMAND_BUTTONS) {
    app.action(name, async ({ ack, body, action, respond }) => {
      await ack();
      const actor = actorOf(body);
      const ref = (action as { value?: string }).value ?? '';
      if (!actor) return;
      const logger = deps.logger.child({
        req: requestId(),
        user: actor.userId,
        channel: actor.channelId,
        button: name,
      });
      let acked = false;
      const ctx: CommandContext = {
        command: { user_id: actor.userId, channel_id: actor.channelId, team_id: actor.teamId, text: `${name} ${ref}` },
        // A click has no slash-command ack: the first reply goes to the person through the response_url.
        async ack(text) {
          acked = true;
          await respond({ response_type: 'ephemeral', replace_original: false, text });
        },
        acked: () => acked,
        async respond(message) {
          await respond({ response_type: 'ephemeral', replace_original: false, ...message });
        },
        chat: deps.chat,
        logger,
        ...(deps.observeCommand ? { observeCommand: deps.observeCommand } : {}),
      };
      // The ref is validated like typed text: plain names only.
      await deps.work.run(() => dispatchInterruptible(deps.subcommands, ctx, `${name} ${ref}`, deps.work.interrupted));
    });
  }
}
