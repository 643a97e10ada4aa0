import type { Message } from '../message.js';

/** Where a chat message lives; enough to update it or reply in its thread. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/**
 * The one way features post to a chat platform. The Slack implementation renders the neutral
 * message to Block Kit; features never see Block Kit.
 */
export interface ChatPort {
  /** Posts in a channel, or in a thread when `threadTs` is set. */
  post(m: { channel: string; threadTs?: string; message: Message }): Promise<MessageRef>;
  /** Replaces a posted message. */
  update(m: MessageRef & { message: Message }): Promise<void>;
  /** A link to a message (the platform's permalink when it gives one). */
  permalink(ref: MessageRef & { threadTs?: string }): Promise<string>;
}
