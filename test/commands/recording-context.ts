import type { Actor, CommandContext } from '../../src/commands/context.js';
import type { Logger } from '../../src/core/logging.js';
import { plainText, type Message } from '../../src/core/message.js';
import type { MessageRef } from '../../src/core/ports/chat.js';

/** What a command said, in order, through a context that records instead of talking to a platform. */
export interface Recorded {
  ctx: CommandContext;
  replies: Message[];
  posts: Message[];
  updates: { ref: MessageRef; message: Message }[];
  /** Every reply as plain text, one line per section. */
  replyTexts(): string[];
}

/**
 * A neutral command context as a front end would build it, recording what the command says: the
 * platform-neutral path tested without any chat platform.
 */
export function recordingContext(
  text: string,
  logger: Logger,
  opts: { actor?: Partial<Actor>; interrupted?: AbortSignal; failPost?: Error } = {},
): Recorded {
  const replies: Message[] = [];
  const posts: Message[] = [];
  const updates: { ref: MessageRef; message: Message }[] = [];
  let ts = 0;
  const actor: Actor = {
    platform: 'terminal',
    teamId: 'T1',
    userId: 'U1',
    channelId: 'C1',
    groups: async () => [],
    ...opts.actor,
  };
  const ctx: CommandContext = {
    actor,
    text,
    invocation: 'session-ttl',
    logger,
    reply: async (m) => void replies.push(m),
    post: async (m) => {
      if (opts.failPost) throw opts.failPost;
      posts.push(m);
      return { channel: actor.channelId, ts: String(++ts) };
    },
    update: async (ref, message) => void updates.push({ ref, message }),
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
  };
  const lines = (m: Message) =>
    m.blocks.map((b) => (b.kind === 'section' ? plainText(b.text) : '')).join('\n') || m.text;
  return { ctx, replies, posts, updates, replyTexts: () => replies.map(lines) };
}
