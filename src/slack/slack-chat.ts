import type { webApi } from '@slack/bolt';
import type { KnownBlock } from './render/report-blocks.js';

/** The Web API calls the alert replies make; declared here so tests and other transports can supply them. */
export interface SlackChat {
  /** chat.postMessage; `threadTs` makes it a thread reply. Resolves with the new message's ts. */
  post(message: { channel: string; threadTs?: string; text: string; blocks?: KnownBlock[] }): Promise<{ ts: string }>;
  /** chat.update of a message the bot posted. */
  update(message: { channel: string; ts: string; text: string; blocks?: KnownBlock[] }): Promise<void>;
  /** chat.getPermalink; undefined when Slack gives none. */
  permalink(ref: { channel: string; ts: string }): Promise<string | undefined>;
}

/** The SlackChat of a Bolt WebClient (which carries the bot token). */
export function webClientChat(client: webApi.WebClient): SlackChat {
  return {
    async post({ channel, threadTs, text, blocks }) {
      const res = await client.chat.postMessage({
        channel,
        text,
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      });
      if (!res.ts) throw new Error(`chat.postMessage in ${channel} returned no ts`);
      return { ts: res.ts };
    },
    async update({ channel, ts, text, blocks }) {
      await client.chat.update({ channel, ts, text, ...(blocks ? { blocks } : {}) });
    },
    async permalink({ channel, ts }) {
      const res = await client.chat.getPermalink({ channel, message_ts: ts });
      return typeof res.permalink === 'string' ? res.permalink : undefined;
    },
  };
}
