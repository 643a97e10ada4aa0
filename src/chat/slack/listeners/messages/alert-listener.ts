import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { AlertPostHandler } from '../../../../alerts/alert-post-flow.js';
import { requestId as defaultRequestId, type Logger } from '../../../../core/logging.js';
import type { InFlight } from '../../../../core/feature.js';
import { parseAlertPost } from '../../alert-posts/parse-alert-post.js';

export interface AlertListenerDeps {
  /** `slack.incidentChannels`: the only channels whose posts are read. */
  incidentChannels: readonly string[];
  onAlertPost: AlertPostHandler;
  work: InFlight;
  logger: Logger;
  requestId?: () => string;
}

type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

// The fields of a message event this listener reads before handing the event to the alert parser;
// a field of another type reads as absent.
const loose = z.string().optional().catch(undefined);
const messageFieldsSchema = z.object({ channel: loose, subtype: loose, bot_id: loose, user: loose, ts: loose });
const envelopeSchema = z.object({ event_id: loose });

/**
 * The `message` listener for alert posts in `slack.incidentChannels`: posts by other bots and apps
 * (never our own, never a person's) are parsed into the neutral alert post and handed to the alert
 * flow. Bolt has acknowledged the event before this runs; the flow runs as tracked background work.
 */
export function createAlertListener(deps: AlertListenerDeps): (args: MessageArgs) => Promise<void> {
  const channels = new Set(deps.incidentChannels);
  const newId = deps.requestId ?? defaultRequestId;
  return async ({ message, body, context }) => {
    const m = messageFieldsSchema.safeParse(message).data;
    if (m?.channel === undefined || !channels.has(m.channel)) return;
    const logger = deps.logger.child({ req: newId(), channel: m.channel, ts: m.ts, retryNum: context.retryNum });
    // Edits, deletions, joins: not a new alert post.
    if (m.subtype !== undefined && m.subtype !== 'bot_message') return;
    // Bolt's ignoreSelf drops our bot_message posts and those with our user id; a bot_id match is checked here too.
    if ((context.botId && m.bot_id === context.botId) || (context.botUserId && m.user === context.botUserId)) return;
    const post = parseAlertPost(message);
    if (!post || !post.channel || !post.ts) {
      logger.debug('message in an incident channel is not an alert post');
      return;
    }
    if (!post.fromBot) {
      logger.debug("a person's message is not an alert post; not replying");
      return;
    }
    const eventId = envelopeSchema.safeParse(body).data?.event_id;
    const located = { ...post, channel: post.channel, ts: post.ts };
    const work = logger.child({ event: eventId });
    deps.work.track(deps.onAlertPost(located, eventId ? { eventId } : {}, work), (err) =>
      work.error({ err }, 'answering an alert post failed'),
    );
  };
}
