/** A message the fake Slack holds: posted through chat.postMessage (or put there by a test). */
export interface FakeMessage {
  channel: string;
  ts: string;
  /** Set on a reply: the ts of its thread's parent. */
  thread_ts?: string;
  text?: string;
  blocks?: unknown;
  /** As posted (`{ event_type, event_payload }`); answered only to `include_all_metadata: true`. */
  metadata?: Record<string, unknown>;
  bot_id?: string;
}

/** A form or JSON field that means true (`true`, `"true"`, `1`, `"1"`), as Slack reads booleans. */
const truthy = (v: unknown): boolean => v === true || v === 'true' || v === 1 || v === '1';

const tsNumber = (ts: unknown): number => (ts === undefined || ts === '' ? NaN : Number(ts));

/**
 * The messages of the fake Slack per channel, and the answers of `conversations.history` (top-level
 * messages, newest first) and `conversations.replies` (the parent, then its replies, oldest first), as
 * Slack gives them: `oldest`/`latest` (exclusive unless `inclusive`), `limit`, an offset `cursor` with
 * `has_more` and `response_metadata.next_cursor`, and `metadata` only with `include_all_metadata`.
 */
export function createMessageStore() {
  const byChannel = new Map<string, FakeMessage[]>();
  const all = (channel: string) => byChannel.get(channel) ?? [];

  /** `body`'s window and page of `list` (already in answer order). */
  const page = (list: FakeMessage[], body: Record<string, any>) => {
    const inclusive = truthy(body.inclusive);
    const oldest = tsNumber(body.oldest);
    const latest = tsNumber(body.latest);
    const inWindow = list.filter((m) => {
      const t = Number(m.ts);
      if (!Number.isNaN(oldest) && (inclusive ? t < oldest : t <= oldest)) return false;
      return Number.isNaN(latest) || (inclusive ? t <= latest : t < latest);
    });
    const limit = Math.min(Math.max(Number(body.limit) || 100, 1), 999);
    const start = Number(body.cursor) || 0;
    const messages = inWindow.slice(start, start + limit).map(({ channel: _channel, metadata, ...m }) => ({
      type: 'message',
      ...m,
      ...(metadata && truthy(body.include_all_metadata) ? { metadata } : {}),
    }));
    const more = start + limit < inWindow.length;
    return {
      ok: true,
      messages,
      has_more: more,
      ...(more ? { response_metadata: { next_cursor: String(start + limit) } } : {}),
    };
  };

  return {
    add(m: FakeMessage): void {
      byChannel.set(m.channel, [...all(m.channel), m]);
    },
    /** Messages of a channel (or of one thread, parent included), oldest first. */
    messagesIn(channel: string, threadTs?: string): FakeMessage[] {
      const list = [...all(channel)].sort((a, b) => Number(a.ts) - Number(b.ts));
      return threadTs === undefined ? list : list.filter((m) => m.ts === threadTs || m.thread_ts === threadTs);
    },
    history(body: Record<string, any>) {
      const top = all(String(body.channel)).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
      return page(
        [...top].sort((a, b) => Number(b.ts) - Number(a.ts)),
        body,
      );
    },
    /**
     * A thread: its parent (when the fake holds it: alert posts delivered as events are not) and replies.
     * A ts the fake knows nothing of is answered `thread_not_found`, as Slack does.
     */
    replies(body: Record<string, any>) {
      const thread = this.messagesIn(String(body.channel), String(body.ts));
      if (!thread.length) return { ok: false, error: 'thread_not_found' };
      return page(thread, body);
    },
    clear(): void {
      byChannel.clear();
    },
  };
}

export type MessageStore = ReturnType<typeof createMessageStore>;
