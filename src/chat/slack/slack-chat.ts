import type { webApi } from '@slack/bolt';
import { ChatError, type ChatPort } from '../../core/ports/chat.js';
import { toBlockKit, type BlockKitOptions, type SlackMessage } from './render/block-kit.js';
import { slackErrorCode, toChatError } from './slack-errors.js';

/** Slack refused the rendering itself; a smaller one (fewer blocks, then text only) may go through. */
const REFUSED_RENDERING: ReadonlySet<string> = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'too_many_blocks',
]);

/**
 * Sends `full`, then, when Slack refuses the rendering itself, a smaller one (12 blocks), then the text
 * alone: the report reaches the channel in some form rather than not at all.
 */
async function sendShrinking<T>(
  render: (opts: BlockKitOptions) => SlackMessage,
  base: BlockKitOptions,
  send: (m: { text: string; blocks?: SlackMessage['blocks'] }) => Promise<T>,
): Promise<T> {
  try {
    return await send(render(base));
  } catch (err) {
    if (!REFUSED_RENDERING.has(slackErrorCode(err) ?? '')) throw err;
  }
  try {
    return await send(render({ ...base, maxBlocks: 12, maxSectionChars: 1500 }));
  } catch (err) {
    if (!REFUSED_RENDERING.has(slackErrorCode(err) ?? '')) throw err;
  }
  return send({ text: render(base).text });
}

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
 * Block Kit, `chat.postMessage` / `chat.update` / `chat.getPermalink`. Failures reject with a ChatError
 * (`not_in_channel`, `unavailable`, `refused`) that keeps Slack's code.
 */
export function slackChat(
  client: webApi.WebClient,
  render: BlockKitOptions = {},
  onApiError?: (code: string) => void,
): ChatPort {
  /**
   * Counts a failed call by its Slack error code (a bounded vocabulary; anything else is `other`) and
   * rejects with the neutral ChatError.
   */
  const counted = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      const code = slackErrorCode(err);
      onApiError?.(code && /^[a-z_]{1,40}$/.test(code) ? code : 'other');
      throw toChatError(err);
    });
  return {
    async post({ channel, threadTs, message }) {
      const res = await counted(
        sendShrinking(
          (o) => toBlockKit(message, o),
          render,
          ({ text, blocks }) =>
            client.chat.postMessage({
              channel,
              text,
              ...(blocks ? { blocks } : {}),
              ...(threadTs ? { thread_ts: threadTs } : {}),
              unfurl_links: false,
            }),
        ),
      );
      if (!res.ts) throw new ChatError('refused', 'no_ts');
      return { channel, ts: res.ts };
    },
    async update({ channel, ts, message }) {
      await counted(
        sendShrinking(
          (o) => toBlockKit(message, o),
          render,
          ({ text, blocks }) => client.chat.update({ channel, ts, text, ...(blocks ? { blocks } : { blocks: [] }) }),
        ),
      );
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
