import type { webApi } from '@slack/bolt';
import type { Logger } from '../../core/logging.js';
import type { Message } from '../../core/message.js';
import { ChatError, type ChatPort, type MessageRef } from '../../core/ports/chat.js';
import { findPostedIn, postMetadata } from './find-posted.js';
import { postOnce } from './keyed-post.js';
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

export interface SlackChatDeps {
  /** The bot's WebClient (it retries a failed call by itself). */
  client: webApi.WebClient;
  /**
   * The same token and API URL without retries (and a 429 rejected, not waited out): keyed posts and
   * lookups go through it, so no try is repeated blindly. Default `client`.
   */
  postClient?: webApi.WebClient;
  render?: BlockKitOptions;
  /** Counts a failed call by its Slack error code. */
  onApiError?: (code: string) => void;
  logger?: Logger;
  /** Pauses between the tries of a keyed post (default 0.5 s, 1 s, 2 s: the client's own backoff). */
  postRetryDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
  /** The wall clock (default Date.now): a lookup reads messages by Slack's ts, which is wall-clock time. */
  now?: () => number;
}

/** The Web API client's backoff for `retries` retries (factor 2 from 0.5 s, at most 5 s), for keyed posts. */
export function webApiRetryDelaysMs(retries: number): number[] {
  return Array.from({ length: retries }, (_, i) => Math.min(500 * 2 ** i, 5000));
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One `chat.postMessage` through `via` (shrunk when Slack refuses the rendering), with the key's metadata. */
async function sendPost(
  via: webApi.WebClient,
  render: BlockKitOptions,
  m: { channel: string; threadTs?: string; message: Message; key?: string },
): Promise<MessageRef> {
  const res = await sendShrinking(
    (o) => toBlockKit(m.message, o),
    render,
    ({ text, blocks }) =>
      via.chat.postMessage({
        channel: m.channel,
        text,
        ...(blocks ? { blocks } : {}),
        ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
        ...(m.key ? { metadata: postMetadata(m.key) } : {}),
        unfurl_links: false,
      }),
  );
  if (!res.ts) throw new ChatError('refused', 'no_ts');
  return { channel: m.channel, ts: res.ts };
}

/**
 * The chat port over a Bolt WebClient (which carries the bot token): neutral messages rendered to
 * Block Kit, `chat.postMessage` / `chat.update` / `chat.getPermalink`. Failures reject with a ChatError
 * (`not_in_channel`, `unavailable`, `refused`) that keeps Slack's code. A post with a key carries it in
 * its metadata and is retried by `postOnce` (looked up before each new try), not by the client.
 */
export function slackChat(deps: SlackChatDeps): ChatPort {
  const { client, render = {}, onApiError } = deps;
  const postClient = deps.postClient ?? client;
  const now = deps.now ?? Date.now;
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
  const findPosted: ChatPort['findPosted'] = (q) => counted(findPostedIn(postClient, q, now));
  return {
    async post(m) {
      const { key } = m;
      if (!key) return counted(sendPost(client, render, m));
      const startedAt = now();
      const where = { channel: m.channel, ...(m.threadTs ? { threadTs: m.threadTs } : {}), key };
      return counted(
        postOnce({
          send: () => sendPost(postClient, render, m),
          find: () => findPostedIn(postClient, { ...where, sinceMs: startedAt }, now),
          delaysMs: deps.postRetryDelaysMs ?? webApiRetryDelaysMs(3),
          sleep: deps.sleep ?? pause,
          where,
          ...(deps.logger ? { logger: deps.logger } : {}),
        }),
      );
    },
    findPosted,
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
