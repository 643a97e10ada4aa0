import type { webApi } from '@slack/bolt';

/** Slack errors that mean "the bot may not post here"; the fix is the same for all of them. */
export const NOT_IN_CHANNEL: ReadonlySet<string> = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
]);

/** The `error` of a Web API platform error (`not_in_channel`, `invalid_blocks`, ...), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as Partial<webApi.WebAPIPlatformError> | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** The error's Slack code when it says the bot may not post in the channel. */
export function notInChannel(err: unknown): string | undefined {
  const code = slackErrorCode(err);
  return code && NOT_IN_CHANNEL.has(code) ? code : undefined;
}
