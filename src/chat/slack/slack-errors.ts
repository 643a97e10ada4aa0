import { z } from 'zod';
import { t } from '../../core/message.js';
import { ChatError } from '../../core/ports/chat.js';

/** Slack errors that mean "the bot may not post here"; the fix is the same for all of them. */
export const NOT_IN_CHANNEL: ReadonlySet<string> = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
]);

/** Slack errors that a later try may not get: a Slack outage, a rate limit. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

// The fields the web-api error classes share, read structurally rather than by class.
const webApiErrorSchema = z.object({
  code: z.string().optional(),
  statusCode: z.number().optional(),
  /** Seconds to wait, of a 429 the client did not retry (`rejectRateLimitedCalls`). */
  retryAfter: z.number().optional(),
  data: z.object({ error: z.string().optional() }).optional(),
  /** What a request error wraps (fetch's "fetch failed" with the socket error as its cause). */
  original: z.unknown().optional(),
});

/** The fields of a Web API error (`code`, `statusCode`, `retryAfter`, `data.error`, `original`) that are there. */
export function fieldsOf(err: unknown): z.infer<typeof webApiErrorSchema> {
  const parsed = webApiErrorSchema.safeParse(err);
  return parsed.success ? parsed.data : {};
}

/** The `error` of a Web API platform error (`not_in_channel`, `invalid_blocks`, ...), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  return fieldsOf(err).data?.error;
}

/**
 * Whether a failed Web API call may succeed later: the WebClient gave up on a 5xx or 429 (its retries
 * ran out), could not reach Slack at all, or Slack said it is having trouble. `not_in_channel`,
 * `invalid_auth`, `invalid_blocks` and the like are final: trying again would get the same answer.
 */
export function isTransientSlackError(err: unknown): boolean {
  const e = fieldsOf(err);
  if (e.code === 'slack_webapi_request_error' || e.code === 'slack_webapi_rate_limited_error') return true;
  if (e.code === 'slack_webapi_http_error')
    return e.statusCode === undefined || e.statusCode >= 500 || e.statusCode === 429 || e.statusCode === 408;
  return TRANSIENT_CODES.has(e.data?.error ?? '');
}

/** A short code for a failure that carries no Slack error (no answer, an HTTP status). */
function transportCode(err: unknown): string {
  const e = fieldsOf(err);
  if (e.code === 'slack_webapi_http_error') return `http_${e.statusCode ?? 'error'}`;
  if (e.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  if (e.code === 'slack_webapi_request_error') return 'no_answer';
  return err instanceof Error ? err.message : String(err);
}

/**
 * A failed Web API call as the neutral ChatError: `not_in_channel` (with how to invite the bot),
 * `unavailable` (worth a later try) or `refused`. The Slack error stays as its cause, for the log.
 */
export function toChatError(err: unknown): ChatError {
  if (err instanceof ChatError) return err;
  const code = slackErrorCode(err);
  if (code && NOT_IN_CHANNEL.has(code))
    return new ChatError(
      'not_in_channel',
      code,
      [t('Invite the bot with '), t('/invite @session-ttl', { code: true })],
      {
        cause: err,
      },
    );
  const kind = isTransientSlackError(err) ? 'unavailable' : 'refused';
  return new ChatError(kind, code ?? transportCode(err), undefined, { cause: err });
}
