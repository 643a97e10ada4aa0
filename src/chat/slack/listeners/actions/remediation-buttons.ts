import type { App, webApi } from '@slack/bolt';
import { z } from 'zod';
import { DECISION_COMMANDS, FIX_COMMAND_PREFIX, FIX_FORM, type FixCommands } from '../../../../commands/fix/index.js';
import type { InFlight } from '../../../../core/feature.js';
import { requestId, type Logger } from '../../../../core/logging.js';
import type { ChatPort } from '../../../../core/ports/chat.js';
import { ephemeralReplies, modalOpener, slackCommandContext, type SlackReplies } from '../../command-context.js';
import { submissionOf, toViewAck } from '../../render/form-view.js';
import type { GroupMembership } from '../../user-groups.js';
import { actorOf, slackActor, type SignedClick } from './actor.js';

export interface RemediationListenerDeps {
  fix: FixCommands;
  chat: ChatPort;
  client: webApi.WebClient;
  membership: GroupMembership;
  work: InFlight;
  logger: Logger;
}

// A button's id and its opaque value; nothing else of the action is read.
const buttonSchema = z.object({ action_id: z.string(), value: z.string().max(2000) });
const triggerSchema = z.object({ trigger_id: z.string().min(1) });
// What a view_submission signs about who submitted, and the view itself (its kind, ref and values).
const submissionSchema = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullish(),
});

/** A click's neutral context: who clicked where, replies ephemeral in that channel, forms as modals. */
function clickContext(deps: RemediationListenerDeps, who: SignedClick, button: string, triggerId?: string) {
  const logger = deps.logger.child({ req: requestId(), user: who.userId, channel: who.channelId, button });
  return slackCommandContext({
    actor: slackActor(who, deps.membership),
    text: button,
    replies: ephemeralReplies(deps.client, who),
    chat: deps.chat,
    logger,
    interrupted: deps.work.interrupted,
    ...(triggerId ? { openForm: modalOpener(deps.client, triggerId) } : {}),
  });
}

/** A submission has no channel and nobody to answer ephemerally: its answer is the view it acknowledges with. */
function noReplies(logger: Logger): SlackReplies {
  return {
    reply: async (message) => logger.warn({ text: message.text }, 'a form submission has no channel to reply in'),
    acked: () => true,
  };
}

/**
 * The remediation buttons on the Bolt app: `fix:<action>` previews, the preview's submission requests,
 * Approve / Reject / Revert decide. Each listener parses what Slack signed into the neutral context,
 * acknowledges, and calls the chat-neutral use case (`commands/fix/`); the value is only an opaque id.
 */
export function registerRemediationListeners(app: App, deps: RemediationListenerDeps): void {
  app.action(new RegExp(`^${FIX_COMMAND_PREFIX}`), async ({ ack, body, action }) => {
    await ack();
    const who = actorOf(body);
    const button = buttonSchema.safeParse(action);
    const trigger = triggerSchema.safeParse(body);
    if (!who || !button.success || !trigger.success) return;
    const ctx = clickContext(deps, who, button.data.action_id, trigger.data.trigger_id);
    await deps.work.run(() => deps.fix.preview(ctx, button.data.value));
  });

  for (const command of DECISION_COMMANDS) {
    app.action(command, async ({ ack, body, action }) => {
      await ack();
      const who = actorOf(body);
      const button = buttonSchema.safeParse(action);
      if (!who || !button.success) return;
      const ctx = clickContext(deps, who, command);
      await deps.work.run(() => deps.fix.decide(ctx, command, button.data.value));
    });
  }

  app.view(FIX_FORM, async ({ ack, body, view }) => {
    const signed = submissionSchema.safeParse(body);
    if (!signed.success) return ack();
    const { user, team } = signed.data;
    const logger = deps.logger.child({ req: requestId(), user: user.id, view: view.callback_id });
    const ctx = slackCommandContext({
      actor: slackActor({ userId: user.id, teamId: user.team_id ?? team?.id, channelId: '' }, deps.membership),
      text: FIX_FORM,
      replies: noReplies(logger),
      chat: deps.chat,
      logger,
      interrupted: deps.work.interrupted,
    });
    const result = await deps.work.run(() => deps.fix.submit(ctx, submissionOf(view)));
    await ack(toViewAck(result));
  });
}
