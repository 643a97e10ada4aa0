import type { Inline, Message } from '../message.js';

/** Where a chat message lives; enough to update it or reply in its thread. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/**
 * Why the chat platform did not take a post or an update:
 * - `not_in_channel`: the bot may not post there (not invited, channel archived or gone); inviting it helps.
 * - `unavailable`: an outage or a rate limit outlasted the client's retries; a later try may work.
 * - `refused`: anything else the platform said no to (a bad token, a message it cannot take); final.
 */
export type ChatErrorKind = 'not_in_channel' | 'unavailable' | 'refused';

/**
 * A chat port call that failed, in neutral terms: commands decide what to do from `kind`, and tell the
 * person the platform's `code` and `advice` (e.g. how to invite the bot) without knowing the platform.
 */
export class ChatError extends Error {
  override name = 'ChatError';
  constructor(
    readonly kind: ChatErrorKind,
    /** The platform's own code, e.g. Slack's `not_in_channel` or `ratelimited`; shown to people and logged. */
    readonly code: string,
    /** What a person can do about it, in the platform's words (e.g. "Invite the bot with /invite @session-ttl"). */
    readonly advice?: Inline,
    options?: { cause?: unknown },
  ) {
    super(`the chat platform did not take the message: ${code}`, options);
  }
}

/** The platform's code of a failed chat call, or the error's message when it is not a ChatError. */
export function chatErrorCode(err: unknown): string {
  if (err instanceof ChatError) return err.code;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The one way features post to a chat platform. The Slack implementation renders the neutral
 * message to Block Kit; features never see Block Kit. Failures reject with a ChatError.
 */
export interface ChatPort {
  /**
   * Posts in a channel, or in a thread when `threadTs` is set. With a `key` (an idempotency key, made once
   * per logical post and kept across its tries), the post carries the key, and a try whose answer was
   * lost is looked up by it (`findPosted`) before the post is sent again: Slack shows it once.
   */
  post(m: { channel: string; threadTs?: string; message: Message; key?: string }): Promise<MessageRef>;
  /**
   * The earlier post made with `key` in the channel (or in the thread `threadTs`), posted at `sinceMs`
   * (ms since the epoch) or later; undefined when there is none. Rejects with a ChatError when the
   * platform cannot be read (then nobody knows whether it is there).
   */
  findPosted(q: { channel: string; threadTs?: string; key: string; sinceMs?: number }): Promise<MessageRef | undefined>;
  /**
   * Replaces a posted message; `threadTs`: the root of the thread it is a reply in, when known (Teams updates
   * a reply in its thread's conversation; Slack needs the channel and ts only).
   */
  update(m: MessageRef & { threadTs?: string; message: Message }): Promise<void>;
  /** A link to a message (the platform's permalink when it gives one). */
  permalink(ref: MessageRef & { threadTs?: string }): Promise<string>;
}

/** A post the chat platform refused for now, to be posted again later (the outbox). */
export interface PendingPost {
  channel: string;
  threadTs?: string;
  message: Message;
  /** What it is, for logs and the metric: `alert-reply`, `report`. */
  kind: string;
  /**
   * The chat platform the post was for (a command's actor's); the outbox keeps only its own platform's
   * posts (a Teams conversation id is no Slack channel). Absent: the outbox's own (alert replies).
   */
  platform?: 'slack' | 'teams' | 'terminal';
  /**
   * The post's idempotency key, the one its first try carried: the outbox looks for the post by it before
   * posting it again (Slack may have taken a try whose answer was lost). Absent, the outbox makes one.
   */
  key?: string;
}

/**
 * Keeps `post` to post it later when `err` (what the post failed with) is worth a later try: true when
 * kept, false when the failure is final; rejects when it cannot keep it (the state store failed).
 */
export type Postpone = (post: PendingPost, err: unknown) => Promise<boolean>;
