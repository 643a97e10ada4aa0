import type { App, webApi } from '@slack/bolt';
import { z } from 'zod';
import { DECISION_COMMANDS, FIX_COMMAND_PREFIX, FIX_FORM, type FixCommands } from '../../../../commands/fix/index.js';
import type { InFlight } from '../../../../core/feature.js';
import { requestId, type Logger } from '../../../../core/logging.js';
import type { ChatPort } from '../../../../core/ports/chat.js';
import { ephemeralReplies, formReplies, modalOpener, openModal, slackCommandContext } from '../../command-context.js';
import { submissionOf, toViewAck } from '../../render/form-view.js';
import type { GroupMembership } from '../../user-groups.js';
import { actorOf, signedTeams, slackActor, type SignedClick } from './actor.js';

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
  enterprise: z.object({ id: z.string() }).nullish(),
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
    const submission = submissionOf(view);
    // Acknowledged at once with a progress view (Slack waits 3 s); the work replaces it when done.
    await ack(toViewAck({ kind: 'replace', form: deps.fix.progress(submission) }));
    const signed = submissionSchema.safeParse(body);
    if (!signed.success) return;
    const { user } = signed.data;
    const form = openModal(deps.client, view.id);
    const ctx = slackCommandContext({
      actor: slackActor({ userId: user.id, ...signedTeams(signed.data), channelId: '' }, deps.membership),
      text: FIX_FORM,
      replies: formReplies(form, view.title.text),
      chat: deps.chat,
      logger: deps.logger.child({ req: requestId(), user: user.id, view: view.callback_id }),
      interrupted: deps.work.interrupted,
    });
    await deps.work.run(() => deps.fix.submit(ctx, submission, form));
  });
}
