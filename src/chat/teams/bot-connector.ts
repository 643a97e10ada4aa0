import { z } from 'zod';
import type { Logger } from '../../core/logging.js';
import { ChatError } from '../../core/ports/chat.js';
import { connectorError, MAX_RETRY_AFTER_MS, retryAfterMs } from './connector-errors.js';
import { parseMember, type ConversationMember } from './connector-members.js';

/** An Adaptive Card as the connector carries it (the card itself is plain JSON). */
export interface CardAttachment {
  contentType: 'application/vnd.microsoft.card.adaptive';
  content: unknown;
}

/** The activity the bot sends: a message with one card, its plain text as the summary. */
export interface OutgoingMessage {
  type: 'message';
  summary: string;
  attachments: readonly CardAttachment[];
}

/** A conversation at a serviceUrl; `activityId` names an activity in it (the one replied to, or updated). */
export interface ConversationAt {
  serviceUrl: string;
  conversationId: string;
}

const resourceResponse = z.object({ id: z.string().max(1024).optional() }).optional();
const conversationList = z.object({
  conversations: z.array(z.object({ id: z.string().min(1).max(1024), name: z.string().max(256).nullish() })).max(1000),
});

/** A channel of a team, as the connector lists them (the General channel has no name). */
export interface TeamChannel {
  id: string;
  name?: string;
}

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

const conversationUrl = (to: ConversationAt) =>
  `${to.serviceUrl.replace(/\/+$/, '')}/v3/conversations/${encodeURIComponent(to.conversationId)}`;

function activitiesUrl(to: ConversationAt, activityId?: string): string {
  const base = `${conversationUrl(to)}/activities`;
  return activityId === undefined ? base : `${base}/${encodeURIComponent(activityId)}`;
}

/**
 * One call of the Bot Connector's REST API with the bot's token: a 429 is retried once after its Retry-After
 * (at most MAX_RETRY_AFTER_MS), other failures reject with a ChatError; resolves with the answer's JSON.
 */
function connectorCalls(o: BotConnectorOptions) {
  const doFetch = o.fetch ?? fetch;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const logger = o.logger.child({ component: 'bot-connector' });

  async function once(method: 'GET' | 'POST' | 'PUT', url: string, body: unknown): Promise<Response> {
    const token = await o.token();
    try {
      return await doFetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
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

  /** The answer's JSON (undefined when it has none), after one retry of a 429; `quiet404`: a 404 logged at debug. */
  async function call(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, quiet404 = false): Promise<unknown> {
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
      logger[quiet404 && res.status === 404 ? 'debug' : 'warn'](
        { method, url, status: res.status },
        'Bot Connector refused the activity',
      );
      throw connectorError(res.status);
    }
    return res.json().catch(() => undefined);
  }

  return call;
}

/**
 * The Bot Connector REST API at an activity's serviceUrl (plain fetch: the serviceUrl comes from the
 * verified activity, so a test's fake connector on loopback is reached the same way). A 429 is retried
 * once after its Retry-After (Teams throttles per conversation; a throttled call was not taken, so the
 * retry posts once); other failures reject at once with a ChatError (`connectorError`), logged with the
 * status and never the token.
 */
export function botConnector(o: BotConnectorOptions) {
  const call = connectorCalls(o);

  async function post(method: 'POST' | 'PUT', url: string, body: unknown): Promise<{ id?: string }> {
    const parsed = resourceResponse.safeParse(await call(method, url, body));
    return parsed.success && parsed.data?.id ? { id: parsed.data.id } : {};
  }

  return {
    /** `POST …/conversations/{id}/activities/{activityId}`: a reply to that activity (in its thread). */
    replyTo: (to: ConversationAt & { activityId: string }, message: OutgoingMessage) =>
      post('POST', activitiesUrl(to, to.activityId), { ...message, replyToId: to.activityId }),
    /** `POST …/conversations/{id}/activities`: a new message in the conversation. */
    send: (to: ConversationAt, message: OutgoingMessage) => post('POST', activitiesUrl(to), message),
    /** `PUT …/conversations/{id}/activities/{activityId}`: replaces a message the bot sent. */
    update: async (to: ConversationAt & { activityId: string }, message: OutgoingMessage): Promise<void> => {
      await post('PUT', activitiesUrl(to, to.activityId), { ...message, id: to.activityId });
    },
    /** `GET {serviceUrl}/v3/teams/{teamId}/conversations`: the channels of a team the app is in. */
    async teamChannels(to: { serviceUrl: string; teamId: string }): Promise<TeamChannel[]> {
      const url = `${to.serviceUrl.replace(/\/+$/, '')}/v3/teams/${encodeURIComponent(to.teamId)}/conversations`;
      const parsed = conversationList.safeParse(await call('GET', url));
      if (!parsed.success) throw new ChatError('refused', 'connector_unexpected_answer');
      return parsed.data.conversations.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}) }));
    },
    /** `GET …/conversations/{id}/members/{userId}` (by MRI, UPN or object id); a 404 is logged at debug. */
    member: async (to: ConversationAt, userId: string): Promise<ConversationMember> =>
      parseMember(await call('GET', `${conversationUrl(to)}/members/${encodeURIComponent(userId)}`, undefined, true)),
  };
}

export type BotConnector = ReturnType<typeof botConnector>;
