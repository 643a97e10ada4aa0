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

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RetryAfterOptions<T> {
  now?: () => number;
  /** Waits out the Retry-After (default a timer; tests may pass a recording sleep). */
  sleep?: (ms: number) => Promise<void>;
  /** Each throttled answer, with the wait it asks (logged by the caller). */
  onThrottled(waitMs: number): void;
  /** Before the second try: e.g. drop the throttled answer's body. */
  beforeRetry?(throttled: T): Promise<void>;
}

/**
 * Microsoft's throttling, as the Bot Connector and Graph both answer it: `attempt` once, and once more after a
 * throttled answer's Retry-After when it asks at most MAX_RETRY_AFTER_MS (a throttled call was not taken, so
 * the second try does it once). `retryAfter(result)`: the Retry-After header of a 429 (null when it names none),
 * undefined when the answer was not throttled. Whatever the last try gave is the result.
 */
export async function retryOnceWhenThrottled<T>(
  attempt: () => Promise<T>,
  retryAfter: (result: T) => string | null | undefined,
  o: RetryAfterOptions<T>,
): Promise<T> {
  const first = await attempt();
  const header = retryAfter(first);
  if (header === undefined) return first;
  const waitMs = retryAfterMs(header, (o.now ?? Date.now)());
  o.onThrottled(waitMs);
  if (waitMs > MAX_RETRY_AFTER_MS) return first;
  await o.beforeRetry?.(first);
  await (o.sleep ?? realSleep)(waitMs);
  return attempt();
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
