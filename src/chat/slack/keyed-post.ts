import type { Logger } from '../../core/logging.js';
import type { MessageRef } from '../../core/ports/chat.js';
import { fieldsOf, isTransientSlackError } from './slack-errors.js';

export interface KeyedPostSteps {
  /** One try of the post, through a client that does not retry by itself. */
  send(): Promise<MessageRef>;
  /** Looks for a try that Slack took (by the post's key); rejects when Slack cannot be read. */
  find(): Promise<MessageRef | undefined>;
  /** The pauses before the second, third … try (the Web API client's own: 0.5 s, 1 s, 2 s). */
  delaysMs: readonly number[];
  sleep(ms: number): Promise<void>;
  logger?: Logger;
  /** For the log lines: where the post goes and its key. */
  where: { channel: string; threadTs?: string; key: string };
}

/** A 429: Slack refused the call without taking it, and said how long to wait (ms). */
function rateLimitWait(err: unknown): number | undefined {
  const e = fieldsOf(err);
  if (e.code === 'slack_webapi_rate_limited_error') return (e.retryAfter ?? 1) * 1000;
  return e.data?.error === 'ratelimited' ? 1000 : undefined;
}

/**
 * Posts with retries that never post twice: after a failure that may have landed (a 5xx, a timeout, no
 * answer) the post is looked up by its key before it is sent again, so a try Slack took while its answer
 * was lost is returned instead of posted a second time. A lookup that fails counts as "not there" (logged):
 * the post is sent again and may then show twice. A 429 took nothing; its try waits `Retry-After` at
 * least. A final refusal (`not_in_channel`, `invalid_blocks`) and the last try's failure reject with
 * the Web API's error.
 */
export async function postOnce(s: KeyedPostSteps): Promise<MessageRef> {
  for (let attempt = 0; ; attempt++) {
    let failure: unknown;
    try {
      return await s.send();
    } catch (err) {
      failure = err;
    }
    if (!isTransientSlackError(failure)) throw failure;
    const limited = rateLimitWait(failure);
    if (limited === undefined) {
      const found = await lookUp(s, attempt, failure);
      if (found) return found;
    }
    const delay = s.delaysMs[attempt];
    if (delay === undefined) throw failure;
    await s.sleep(Math.max(delay, limited ?? 0));
  }
}

/** The earlier try, if Slack has it; undefined when it has not, or when Slack could not be read (logged). */
async function lookUp(s: KeyedPostSteps, attempt: number, failure: unknown): Promise<MessageRef | undefined> {
  const at = { ...s.where, attempt: attempt + 1 };
  try {
    const found = await s.find();
    if (found) s.logger?.warn({ ...at, ts: found.ts, err: failure }, 'Slack had taken the post; its answer was lost');
    return found;
  } catch (err) {
    s.logger?.warn(
      { ...at, err, postErr: failure },
      'could not look for an earlier try of a post; posting it again (it may show twice)',
    );
    return undefined;
  }
}
