import type { webApi } from '@slack/bolt';
import type { ChatPort } from '../core/ports/chat.js';
import { toBlockKit, type BlockKitOptions } from './render/block-kit.js';

/**
 * A link to a message built from its channel and ts, for when chat.getPermalink gives none.
 * slack.com/archives links open the message in whichever workspace the reader is signed in to.
 */
export function messageLink(ref: { channel: string; ts: string; threadTs?: string }): string {
  const base = `https://slack.com/archives/${encodeURIComponent(ref.channel)}/p${ref.ts.replace('.', '')}`;
  return ref.threadTs && ref.threadTs !== ref.ts
    ? `${base}?thread_ts=${encodeURIComponent(ref.threadTs)}&cid=${encodeURIComponent(ref.channel)}`
    : base;
}

/**
 * The chat port over a Bolt WebClient (which carries the bot token): neutral messages rendered to
 * Block Kit, `chat.postMessage` / `chat.update` / `chat.getPermalink`.
 */
export function slackChat(client: webApi.WebClient, render: BlockKitOptions = {}): ChatPort {
  return {
    async post({ channel, threadTs, message }) {
      const { text, blocks } = toBlockKit(message, render);
      const res = await client.chat.postMessage({
        channel,
        text,
        blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      });
      if (!res.ts) throw new Error(`chat.postMessage in ${channel} returned no ts`);
      return { channel, ts: res.ts };
    },
    async update({ channel, ts, message }) {
      const { text, blocks } = toBlockKit(message, render);
      await client.chat.update({ channel, ts, text, blocks });
    },
    async permalink({ channel, ts, threadTs }) {
      try {
        const res = await client.chat.getPermalink({ channel, message_ts: ts });
        if (typeof res.permalink === 'string') return res.permalink;
      } catch {
        // No permalink (rate limit, missing scope): the archive link below opens the same message.
      }
      return messageLink({ channel, ts, ...(threadTs ? { threadTs } : {}) });
    },
  };
}
