import { channelOf, threadOf, threadRootOf, type Activity } from './activity.js';

/**
 * The neutral places of a Teams request and the conversations they are in. The chat-neutral core names a
 * channel (`19:x@thread.tacv2`) and a thread root apart, as Slack's channel and `thread_ts`; the Bot Connector
 * addresses a channel thread as the conversation `<channel>;messageid=<root>` (a post there is a reply in
 * that thread). Pure.
 */
export interface RequestConversations {
  /** The channel (or chat) the request came from: the actor's `channelId`. */
  channel: string;
  /** The root of the channel thread the request came from; undefined in a chat. */
  root?: string;
  /** Where a new message in `channel` goes: the request's own conversation (its thread) when that is its channel. */
  postIn(channel: string): string;
  /** Where a reply in the thread of `root` in `channel` goes: that thread, or the chat itself (a chat has no threads). */
  threadIn(channel: string, root: string): string;
  /** Where the message at `ref` is updated: in the request's own channel, the conversation it came from. */
  updateIn(ref: { channel: string }): string;
}

export function requestConversations(conversation: Activity['conversation']): RequestConversations {
  const asked = conversation.id;
  const channel = channelOf(asked);
  const root = threadRootOf(asked);
  const threaded = conversation.conversationType === 'channel' || root !== undefined;
  return {
    channel,
    ...(root ? { root } : {}),
    postIn: (to) => (channelOf(to) === channel ? asked : channelOf(to)),
    threadIn: (to, threadRoot) => (channelOf(to) === channel && !threaded ? channel : threadOf(to, threadRoot)),
    // Every message a request updates (its progress, the clicked card, the report it answers) is in the
    // thread it came from; a ref that names a thread's conversation (kept before refs named channels) is used as is.
    updateIn: (ref) => (ref.channel === channel ? asked : ref.channel),
  };
}
