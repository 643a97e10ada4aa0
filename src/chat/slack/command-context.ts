import type { AckFn, RespondArguments, RespondFn, webApi } from '@slack/bolt';
import type { Actor, CommandContext, FormHandle } from '../../commands/context.js';
import type { Logger } from '../../core/logging.js';
import type { Form, Message, Span } from '../../core/message.js';
import type { ChatPort } from '../../core/ports/chat.js';
import { toBlockKit } from './render/block-kit.js';
import { toModalView } from './render/form-view.js';
import { toSlackReply } from './render/reply.js';
import { toChatError } from './slack-errors.js';

/** How a person types a command in Slack: usage lines and "run it again" hints start with it. */
export const COMMAND_NAME = '/session-ttl';

/** Replies to the person who asked, and whether the request has been acknowledged. */
export interface SlackReplies {
  reply(message: Message): Promise<void>;
  acked(): boolean;
}

/**
 * Replies of a slash command: the first is the acknowledgement (Slack waits 3 s for it), later ones go
 * through the command's response_url. All are ephemeral.
 */
export function slashReplies(ack: AckFn<string | RespondArguments>, respond: RespondFn): SlackReplies {
  let acked = false;
  return {
    async reply(message) {
      const rendered = toSlackReply(message);
      if (acked) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...rendered });
        return;
      }
      acked = true;
      await ack({ response_type: 'ephemeral', ...rendered });
    },
    acked: () => acked,
  };
}

/** Replies of a click: Bolt acknowledged it already; every reply goes through the response_url, ephemeral. */
export function clickReplies(respond: RespondFn): SlackReplies {
  return {
    async reply(message) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...toSlackReply(message) });
    },
    acked: () => true,
  };
}

/**
 * Replies of a remediation click: ephemeral messages in the channel (chat.postEphemeral), seen only by
 * the person who clicked.
 */
export function ephemeralReplies(client: webApi.WebClient, to: { channelId: string; userId: string }): SlackReplies {
  return {
    async reply(message) {
      const { text, blocks } = toBlockKit(message);
      await client.chat.postEphemeral({ channel: to.channelId, user: to.userId, text, blocks });
    },
    acked: () => true,
  };
}

/**
 * Opens a form as a modal with the click's trigger_id (views.open; Slack honours it for 3 s after the
 * click); the handle replaces it (views.update). Failures reject with the neutral ChatError, e.g.
 * `expired_trigger_id`.
 */
export function modalOpener(client: webApi.WebClient, triggerId: string): (form: Form) => Promise<FormHandle> {
  return async (form) => {
    const opened = await client.views.open({ trigger_id: triggerId, view: toModalView(form) }).catch((err: unknown) => {
      throw toChatError(err);
    });
    return openModal(client, opened.view?.id);
  };
}

/** The handle of an open modal (`viewId`); without an id (Slack gave none) updates are dropped. */
export function openModal(client: webApi.WebClient, viewId: string | undefined): FormHandle {
  return {
    async update(form) {
      if (!viewId) return;
      await client.views.update({ view_id: viewId, view: toModalView(form) }).catch((err: unknown) => {
        throw toChatError(err);
      });
    },
  };
}

/** Replies of a form's submission: they replace the open modal (a submission has no channel to answer in). */
export function formReplies(form: FormHandle, title: string): SlackReplies {
  return {
    reply: (message) => form.update({ kind: 'notice', ref: '', title, body: message, inputs: [] }),
    acked: () => true,
  };
}

/** The neutral command context of a Slack request: posts go to the actor's channel through the chat port. */
export function slackCommandContext(opts: {
  actor: Actor;
  text: string;
  replies: SlackReplies;
  chat: ChatPort;
  logger: Logger;
  interrupted?: AbortSignal;
  /** The on-call user group's mention (`slack.onCallUserGroup`), for severe escalations in reports. */
  onCall?: Span;
  /** Opens a modal (a click with a trigger_id); absent, the command cannot open forms. */
  openForm?: (form: Form) => Promise<FormHandle>;
}): CommandContext {
  const { actor, chat } = opts;
  return {
    actor,
    text: opts.text,
    invocation: COMMAND_NAME,
    logger: opts.logger,
    reply: (message) => opts.replies.reply(message),
    post: (message, o) =>
      chat.post({
        channel: o?.channel ?? actor.channelId,
        ...(o?.threadTs ? { threadTs: o.threadTs } : {}),
        ...(o?.key ? { key: o.key } : {}),
        message,
      }),
    update: (ref, message) => chat.update({ ...ref, message }),
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
    ...(opts.onCall ? { onCall: opts.onCall } : {}),
    ...(opts.openForm ? { openForm: opts.openForm } : {}),
  };
}
