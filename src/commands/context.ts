import type { z } from 'zod';
import type { Logger } from '../core/logging.js';
import type { Form, Message, Span } from '../core/message.js';
import type { MessageRef } from '../core/ports/chat.js';

/**
 * Who acts and where, exactly as the chat platform signed it (never taken from a button's value or from
 * chat text). Built by each front end (`chat/slack/`, later `chat/teams/`) from the request it verified.
 */
export interface Actor {
  platform: 'slack' | 'teams' | 'terminal';
  /** Workspace (Slack team) or tenant (Teams): the user's. */
  teamId: string;
  /** Every workspace the platform signed for the request (the user's and the one acted in), when it says more than one. */
  teamIds?: readonly string[];
  /** Enterprise Grid organization (Slack), when the platform signed one. */
  enterpriseId?: string;
  userId: string;
  channelId: string;
  /** The message a click came from, and its thread: results go to that thread, an approval post is updated in place. */
  message?: MessageRef & { threadTs?: string };
  /**
   * Which of `candidates` (group ids the access policy names) the platform says the user is in: Slack user
   * groups, Entra ID groups. Each front end answers for its own kind of id and ignores the others, and
   * caches the lookups. Rejects with a `GroupLookupError` (core/errors) when the platform could not answer.
   */
  groups(candidates: readonly string[]): Promise<string[]>;
}

/** An opened form that can be replaced while it is open (a "Preparing the preview…" form, then the preview). */
export interface FormHandle {
  update(form: Form): Promise<void>;
}

/**
 * What a command can do, built per request by the front end. No command reads a platform type: it answers
 * with neutral messages and forms, and the front end renders them (Block Kit, Adaptive Cards, terminal text).
 */
export interface CommandContext {
  actor: Actor;
  /** The command as typed (or the button's command and ref), for logs and "run it again" hints. */
  text: string;
  /**
   * How a person types a command on this platform, e.g. `/session-ttl` in Slack: usage lines and "run it
   * again" hints start with it.
   */
  invocation: string;
  logger: Logger;
  /**
   * Answers the person who asked, visible only to them (Slack: the acknowledgement, then the response_url).
   * The first reply should come quickly: platforms give up on an unanswered request (Slack after 3 s).
   */
  reply(message: Message): Promise<void>;
  /**
   * Posts in the actor's channel (or in `threadTs` of it), visible to everyone there; `channel` names
   * another one (a form's submission has no channel of its own: its results go to the request's thread).
   * `key` is the post's idempotency key, when it may be posted again later (see ChatPort.post).
   */
  post(message: Message, opts?: { threadTs?: string; channel?: string; key?: string }): Promise<MessageRef>;
  /** Replaces a message posted earlier. */
  update(ref: MessageRef, message: Message): Promise<void>;
  /**
   * Whom this front end calls on a severe escalation in a report (Slack: the on-call user group); absent,
   * nobody is mentioned.
   */
  onCall?: Span;
  /** Opens a form for the person (a modal); absent where the platform or the request cannot open one. */
  openForm?(form: Form): Promise<FormHandle>;
  /**
   * Aborted when the bot's shutdown grace period is over: the person is told the command was interrupted,
   * and what it would still reply or post is dropped. Updating a message it posted still works, so a
   * command can finish its progress message with the interruption as the reason (verify does).
   */
  interrupted?: AbortSignal;
}

/**
 * One command, the same from every front end: `diagnose prod`, a button's `verify` with its ref.
 * `params` validates the words after the name (zod; its messages say what was expected, the dispatcher
 * adds the usage); `run` answers through the context and may return a last reply.
 *
 * @example
 * { name: 'envs', usage: 'envs', summary: 'List environments', params: z.array(z.string()).max(0).transform(() => undefined),
 *   run: async () => envsMessage(config) }
 */
export interface Command<P = unknown> {
  name: string;
  usage: string;
  summary: string;
  params: z.ZodType<P, string[]>;
  /** A button may carry this command (with one opaque ref as its only word), e.g. Re-run and Verify. */
  button?: boolean;
  run(params: P, ctx: CommandContext): Promise<Message | void>;
}
