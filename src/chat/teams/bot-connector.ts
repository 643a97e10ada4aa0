import { z } from 'zod';
import type { Logger } from '../../core/logging.js';
import { ChatError } from '../../core/ports/chat.js';
import { connectorError, MAX_RETRY_AFTER_MS, retryAfterMs } from './connector-errors.js';

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

/** A conversation at a serviceUrl; `activityId` names an activity in it (the one replied to, or updated). */
export interface ConversationAt {
  serviceUrl: string;
  conversationId: string;
}

const resourceResponse = z.object({ id: z.string().max(1024).optional() }).optional();

export interface BotConnectorOptions {
  /** The bot's outgoing token (`outgoingToken`). */
  token: () => Promise<string>;
  logger: Logger;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
  /** Waits out a 429's Retry-After (tests may pass a recording sleep). */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function activitiesUrl(to: ConversationAt, activityId?: string): string {
  const base = `${to.serviceUrl.replace(/\/+$/, '')}/v3/conversations/${encodeURIComponent(to.conversationId)}/activities`;
  return activityId === undefined ? base : `${base}/${encodeURIComponent(activityId)}`;
}

/**
 * The Bot Connector REST API at an activity's serviceUrl (plain fetch: the serviceUrl comes from the
 * verified activity, so a test's fake connector on loopback is reached the same way). A 429 is retried
 * once after its Retry-After (Teams throttles per conversation; a throttled call was not taken, so the
 * retry posts once); other failures reject at once with a ChatError (`connectorError`), logged with the
 * status and never the token.
 */
export function botConnector(o: BotConnectorOptions) {
  const doFetch = o.fetch ?? fetch;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const logger = o.logger.child({ component: 'bot-connector' });

  async function once(method: 'POST' | 'PUT', url: string, body: unknown): Promise<Response> {
    const token = await o.token();
    try {
      return await doFetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      logger.warn(
        { method, url, error: err instanceof Error ? err.message : String(err) },
        'Bot Connector unreachable',
      );
      throw new ChatError('unavailable', 'connector_unreachable', undefined, { cause: err });
    }
  }

  async function call(method: 'POST' | 'PUT', url: string, body: unknown): Promise<{ id?: string }> {
    let res = await once(method, url, body);
    if (res.status === 429) {
      const waitMs = retryAfterMs(res.headers.get('retry-after'), now());
      logger.warn({ method, url, status: 429, retryAfterMs: waitMs }, 'Bot Connector throttled the bot');
      if (waitMs <= MAX_RETRY_AFTER_MS) {
        await sleep(waitMs);
        res = await once(method, url, body);
      }
    }
    if (!res.ok) {
      logger.warn({ method, url, status: res.status }, 'Bot Connector refused the activity');
      throw connectorError(res.status);
    }
    const parsed = resourceResponse.safeParse(await res.json().catch(() => undefined));
    return parsed.success && parsed.data?.id ? { id: parsed.data.id } : {};
  }

  return {
    /** `POST …/conversations/{id}/activities/{activityId}`: a reply to that activity (in its thread). */
    replyTo: (to: ConversationAt & { activityId: string }, message: OutgoingMessage) =>
      call('POST', activitiesUrl(to, to.activityId), { ...message, replyToId: to.activityId }),
    /** `POST …/conversations/{id}/activities`: a new message in the conversation. */
    send: (to: ConversationAt, message: OutgoingMessage) => call('POST', activitiesUrl(to), message),
    /** `PUT …/conversations/{id}/activities/{activityId}`: replaces a message the bot sent. */
    update: async (to: ConversationAt & { activityId: string }, message: OutgoingMessage): Promise<void> => {
      await call('PUT', activitiesUrl(to, to.activityId), { ...message, id: to.activityId });
    },
  };
}

export type BotConnector = ReturnType<typeof botConnector>;
