import type { ConnectorClient } from '@microsoft/agents-hosting';
import { z } from 'zod';
import type { Logger } from '../../core/logging.js';
import { ChatError } from '../../core/ports/chat.js';
import { connectorError, retryOnceWhenThrottled } from './connector-errors.js';
import { parseMember, type ConversationMember } from './connector-members.js';
import { agentsSdk, sdkClient } from './sdk-connector.js';

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
  /**
   * The team of a channel conversation, when the activity named it (`channelData.team.id`): member lookups
   * ask the team, as the Agents SDK's `TeamsInfo.getMember` does in a team.
   */
  teamId?: string;
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
  timeoutMs?: number;
  now?: () => number;
  /** Waits out a 429's Retry-After (tests may pass a recording sleep). */
  sleep?: (ms: number) => Promise<void>;
}

/** What one call names in its logs: the SDK operation and where it went (never the token). */
interface CallAt {
  op: string;
  serviceUrl: string;
  conversationId?: string;
}

/** Ids go into the connector's URL paths as they are (the SDK does not encode them): none may leave its segment. */
const SAFE_ID = /^[^/?#\\\s]{1,1024}$/;

function checkIds(...ids: string[]): void {
  if (!ids.every((id) => SAFE_ID.test(id))) throw new ChatError('refused', 'connector_bad_id');
}

/**
 * Runs one SDK call with the bot's token: a 429 is retried once after its Retry-After (at most
 * MAX_RETRY_AFTER_MS); the SDK's HttpError is the chat port's ChatError (`connectorError`), a network failure
 * or a timeout is `unavailable`; logged with the status, never the token.
 */
function connectorCalls(o: BotConnectorOptions) {
  const logger = o.logger.child({ component: 'bot-connector' });
  const timeoutMs = o.timeoutMs ?? 10_000;

  async function once<T>(at: CallAt, run: (client: ConnectorClient) => Promise<T>) {
    const client = await sdkClient(at.serviceUrl, await o.token(), timeoutMs);
    return run(client).then(
      (value) => ({ value }),
      (err: unknown) => ({ err }),
    );
  }

  return async function call<T>(at: CallAt, run: (c: ConnectorClient) => Promise<T>, quiet404 = false): Promise<T> {
    const { isHttpError } = await agentsSdk();
    const result = await retryOnceWhenThrottled(
      () => once(at, run),
      (r) =>
        'err' in r && isHttpError(r.err) && r.err.status === 429
          ? r.err.response.headers.get('retry-after')
          : undefined,
      {
        ...(o.now ? { now: o.now } : {}),
        ...(o.sleep ? { sleep: o.sleep } : {}),
        onThrottled: (waitMs) =>
          logger.warn({ ...at, status: 429, retryAfterMs: waitMs }, 'Bot Connector throttled the bot'),
      },
    );
    if ('value' in result) return result.value;
    const err = result.err;
    if (isHttpError(err)) {
      logger[quiet404 && err.status === 404 ? 'debug' : 'warn'](
        { ...at, status: err.status },
        'Bot Connector refused the activity',
      );
      throw connectorError(err.status);
    }
    logger.warn({ ...at, error: err instanceof Error ? err.message : String(err) }, 'Bot Connector unreachable');
    throw new ChatError('unavailable', 'connector_unreachable', undefined, { cause: err });
  };
}

const idOf = (answer: unknown): { id?: string } => {
  const parsed = resourceResponse.safeParse(answer);
  return parsed.success && parsed.data?.id ? { id: parsed.data.id } : {};
};

/**
 * The Bot Connector REST API at an activity's serviceUrl, through the Microsoft 365 Agents SDK's
 * ConnectorClient (the serviceUrl comes from the verified activity, so a test's fake connector on loopback
 * is reached the same way). A 429 is retried once after its Retry-After (Teams throttles per conversation; a
 * throttled call was not taken, so the retry posts once); other failures reject at once with a ChatError
 * (`connectorError`), logged with the status and never the token.
 */
export function botConnector(o: BotConnectorOptions) {
  const call = connectorCalls(o);
  const activity = async (message: OutgoingMessage & { replyToId?: string; id?: string }) =>
    (await agentsSdk()).Activity.fromObject(message);
  const at = (op: string, to: ConversationAt): CallAt => ({
    op,
    serviceUrl: to.serviceUrl,
    conversationId: to.conversationId,
  });

  return {
    /** `POST …/conversations/{id}/activities/{activityId}`: a reply to that activity (in its thread). */
    async replyTo(to: ConversationAt & { activityId: string }, message: OutgoingMessage): Promise<{ id?: string }> {
      checkIds(to.conversationId, to.activityId);
      const body = await activity({ ...message, replyToId: to.activityId });
      return idOf(
        await call(at('replyToActivity', to), (c) => c.replyToActivity(to.conversationId, to.activityId, body)),
      );
    },
    /** `POST …/conversations/{id}/activities`: a new message in the conversation. */
    async send(to: ConversationAt, message: OutgoingMessage): Promise<{ id?: string }> {
      checkIds(to.conversationId);
      const body = await activity(message);
      return idOf(await call(at('sendToConversation', to), (c) => c.sendToConversation(to.conversationId, body)));
    },
    /** `PUT …/conversations/{id}/activities/{activityId}`: replaces a message the bot sent. */
    async update(to: ConversationAt & { activityId: string }, message: OutgoingMessage): Promise<void> {
      checkIds(to.conversationId, to.activityId);
      const body = await activity({ ...message, id: to.activityId });
      await call(at('updateActivity', to), (c) => c.updateActivity(to.conversationId, to.activityId, body));
    },
    /**
     * `GET {serviceUrl}/v3/teams/{teamId}/conversations`: the channels of a team the app is in (what the SDK's
     * Teams extension calls for `TeamsInfo.getTeamChannels`, through the same HttpClient; it does not export it).
     */
    async teamChannels(to: { serviceUrl: string; teamId: string }): Promise<TeamChannel[]> {
      checkIds(to.teamId);
      const where = { op: 'getTeamChannels', serviceUrl: to.serviceUrl };
      const answer = await call(
        where,
        async (c) => (await c.httpClient.get(`v3/teams/${to.teamId}/conversations`)).data,
      );
      const parsed = conversationList.safeParse(answer);
      if (!parsed.success) throw new ChatError('refused', 'connector_unexpected_answer');
      return parsed.data.conversations.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}) }));
    },
    /** `GET …/conversations/{id}/members/{userId}` (by MRI, UPN or object id); a 404 is logged at debug. */
    async member(to: ConversationAt, userId: string): Promise<ConversationMember> {
      checkIds(to.conversationId, userId);
      const answer = await call(
        at('getConversationMember', to),
        (c) => c.getConversationMember(userId, to.conversationId),
        true,
      );
      return parseMember(answer);
    },
  };
}

export type BotConnector = ReturnType<typeof botConnector>;
