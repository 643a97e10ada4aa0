import { t } from '../../core/message.js';
import { ChatError } from '../../core/ports/chat.js';

/** The longest Retry-After the connector waits out before its one retry; a longer one is `unavailable` at once. */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * How long a 429's `Retry-After` asks to wait (seconds or an HTTP date), in ms; 1 s when it says nothing
 * usable. https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit
 */
export function retryAfterMs(header: string | null, nowMs: number): number {
  const value = header?.trim() ?? '';
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - nowMs);
}

/**
 * A Bot Connector status as the chat port's neutral error. 403/404: the bot is not in that conversation
 * (removed from the team, the chat deleted); 401: our outgoing token was refused; 429 and 5xx: for now.
 */
export function connectorError(status: number): ChatError {
  const code = `connector_http_${status}`;
  if (status === 403 || status === 404)
    return new ChatError('not_in_channel', code, [t('Add the session-ttl app to this team or chat')]);
  if (status === 429 || status >= 500) return new ChatError('unavailable', code);
  return new ChatError('refused', code);
}
