import { z } from 'zod';
import { ChatError } from '../../core/ports/chat.js';

/** An Adaptive Card as the connector carries it (the card itself is plain JSON). */
export interface CardAttachment {
  contentType: 'application/vnd.microsoft.card.adaptive';
  content: unknown;
}

/** The activity the bot sends: a message with a fallback text and one card. */
export interface OutgoingMessage {
  type: 'message';
  text: string;
  attachments: readonly CardAttachment[];
}

const resourceResponse = z.object({ id: z.string().optional() }).optional();

export interface BotConnectorOptions {
  /** The bot's outgoing token (`outgoingToken`). */
  token: () => Promise<string>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The Bot Connector REST API at an activity's serviceUrl (plain fetch: the serviceUrl comes from the
 * verified activity, so a test's fake connector on loopback is reached the same way). Failures reject
 * with a ChatError, as the chat port's do.
 */
export function botConnector(o: BotConnectorOptions) {
  const doFetch = o.fetch ?? fetch;
  return {
    /** `POST {serviceUrl}/v3/conversations/{conversationId}/activities/{activityId}`: a reply to that activity. */
    async replyTo(
      to: { serviceUrl: string; conversationId: string; activityId: string },
      message: OutgoingMessage,
    ): Promise<{ id?: string }> {
      const url =
        `${to.serviceUrl.replace(/\/+$/, '')}/v3/conversations/${encodeURIComponent(to.conversationId)}` +
        `/activities/${encodeURIComponent(to.activityId)}`;
      const token = await o.token();
      let res: Response;
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ...message, replyToId: to.activityId }),
          signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new ChatError('unavailable', 'connector_unreachable', undefined, { cause: err });
      }
      if (res.status === 429 || res.status >= 500) throw new ChatError('unavailable', `connector_http_${res.status}`);
      if (!res.ok) throw new ChatError('refused', `connector_http_${res.status}`);
      const parsed = resourceResponse.safeParse(await res.json().catch(() => undefined));
      return parsed.success && parsed.data?.id ? { id: parsed.data.id } : {};
    },
  };
}

export type BotConnector = ReturnType<typeof botConnector>;
