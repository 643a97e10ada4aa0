import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { ChatError, type MessageRef } from '../../core/ports/chat.js';

/** The `event_type` of the metadata a keyed post carries; the key is `event_payload.key`. */
export const POST_EVENT_TYPE = 'session_ttl_bot_post';

/** The message metadata of a post made with an idempotency key (`chat.postMessage`'s `metadata`). */
export function postMetadata(key: string): { event_type: string; event_payload: { key: string } } {
  return { event_type: POST_EVENT_TYPE, event_payload: { key } };
}

/** Without `sinceMs`, how far back a lookup reads (an hour: longer than any post is retried). */
const DEFAULT_WINDOW_MS = 3_600_000;
/** Slack's clock and ours may differ; the lookup starts this much earlier. */
const CLOCK_SKEW_MS = 60_000;
/** Messages a page asks for (Slack may return fewer), and pages read at most. */
const PAGE_LIMIT = 200;
const MAX_PAGES = 3;

// What the lookup relies on in a conversations.history / conversations.replies answer.
const pageSchema = z.object({
  messages: z
    .array(
      z.object({
        ts: z.string(),
        metadata: z
          .object({ event_type: z.string().optional(), event_payload: z.record(z.string(), z.unknown()).optional() })
          .optional(),
      }),
    )
    .default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

/** A Slack message ts for a time in ms (`1720000000.123000`). */
const slackTs = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(6);

export interface FindPostedQuery {
  channel: string;
  threadTs?: string;
  key: string;
  sinceMs?: number;
}

/**
 * Reads the thread (`conversations.replies`) or the channel (`conversations.history`) since `sinceMs`
 * (default: the last hour), with `include_all_metadata`, for the message whose metadata carries `key`.
 * Rejects with what the Web API rejected with (a rate limit, an outage, a missing scope).
 */
export async function findPostedIn(
  client: webApi.WebClient,
  q: FindPostedQuery,
  now: () => number,
): Promise<MessageRef | undefined> {
  const oldest = slackTs((q.sinceMs ?? now() - DEFAULT_WINDOW_MS) - CLOCK_SKEW_MS);
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const args = {
      channel: q.channel,
      oldest,
      limit: PAGE_LIMIT,
      include_all_metadata: true,
      ...(cursor ? { cursor } : {}),
    };
    const res = q.threadTs
      ? await client.conversations.replies({ ...args, ts: q.threadTs })
      : await client.conversations.history(args);
    const parsed = pageSchema.safeParse(res);
    if (!parsed.success) throw new ChatError('refused', 'unexpected_history_answer');
    const hit = parsed.data.messages.find(
      (m) => m.metadata?.event_type === POST_EVENT_TYPE && m.metadata.event_payload?.key === q.key,
    );
    if (hit) return { channel: q.channel, ts: hit.ts };
    cursor = parsed.data.response_metadata?.next_cursor;
    if (!parsed.data.has_more || !cursor) return undefined;
  }
  return undefined;
}
