import type { CommandContext, FormHandle } from '../../commands/context.js';
import type { Logger } from '../../core/logging.js';
import type { Form, Message } from '../../core/message.js';
import type { Activity } from './activity.js';
import type { BotConnector } from './bot-connector.js';
import type { VerifiedActivity } from './bot-token.js';
import type { CardMemory } from './card-memory.js';
import { teamsCommandContext } from './command-context.js';
import type { TeamsGroups } from './graph-groups.js';
import type { MemberMris } from './member-mris.js';
import { requestConversations } from './request-conversations.js';

/**
 * What a click's invoke answers with, gathered while its work runs: the form open for the clicker (a
 * preview, its progress, its result), a reply to them (a refusal), and the clicked card as updated. Once
 * `late` (the invoke was answered at its deadline) replies go into the conversation and forms into `slot`.
 */
export interface ClickAnswer {
  form?: Form;
  reply?: Message;
  clicked?: Message;
  late: boolean;
  /** Where the clicker's form is kept once the invoke was answered ("Show the result"). */
  slot: string;
}

export interface ClickContextOptions {
  activity: Activity;
  verified: VerifiedActivity;
  text: string;
  connector: BotConnector;
  /** The clicker's Entra ID groups (Microsoft Graph, cached), as for a typed command. */
  groups: TeamsGroups;
  /** The MRIs of an approval request's people, for its refresh (as for a typed command). */
  members: MemberMris;
  memory: CardMemory;
  answer: ClickAnswer;
  logger: Logger;
  interrupted?: AbortSignal;
}

/**
 * The command context of a click on a Teams card (an `adaptiveCard/action` invoke). Who clicked is the
 * signed activity's, exactly as for a message (`teamsCommandContext`: AAD object id, tenant, channel,
 * groups); the clicked message is the card's (`replyToId`) in its channel, with the root of its thread (the
 * conversation id's `;messageid=`), so results go to that thread and a decision
 * updates it in place. Replies and forms go into the invoke's answer (seen by the clicker only) while it is
 * open; a post or update of a message with per-person buttons is remembered for the refreshes that follow.
 */
export function teamsClickContext(o: ClickContextOptions): CommandContext {
  const { activity, answer, memory } = o;
  const clicked = activity.replyToId;
  const base = teamsCommandContext({
    activity: { ...activity, id: clicked ?? activity.id ?? '' },
    verified: o.verified,
    text: o.text,
    connector: o.connector,
    groups: o.groups,
    members: o.members,
    logger: o.logger,
    ...(o.interrupted ? { interrupted: o.interrupted } : {}),
  });
  // The clicked card's channel and the root of its thread, apart (as Slack's channel and thread_ts).
  const { channel, root } = requestConversations(activity.conversation);
  const showForm = async (form: Form) => {
    answer.form = form;
    if (answer.late) await memory.keepForm(answer.slot, base.actor.userId, form);
  };
  const handle: FormHandle = { update: showForm };
  return {
    ...base,
    actor: {
      ...base.actor,
      ...(clicked ? { message: { channel, ts: clicked, ...(root ? { threadTs: root } : {}) } } : {}),
    },
    async reply(message) {
      if (answer.late) return base.reply(message);
      answer.reply = message;
    },
    async post(message, opts) {
      const ref = await base.post(message, opts);
      await memory.posted(ref, message);
      return ref;
    },
    async update(ref, message) {
      await base.update(ref, message);
      await memory.posted(ref, message);
      if (ref.channel === channel && ref.ts === clicked) answer.clicked = message;
    },
    async openForm(form) {
      await showForm(form);
      return handle;
    },
  };
}
