import type { Icon } from '../../../core/message.js';

/** Emoji codes in mrkdwn, as the bot has always posted them. */
export const ICON_EMOJI: Record<Icon, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
  ok: ':white_check_mark:',
  healthy: ':white_check_mark:',
  incomplete: ':grey_question:',
  findings: ':mag:',
  search: ':mag:',
  error: ':x:',
  skipped: ':fast_forward:',
  firing: ':fire:',
  resolved: ':white_check_mark:',
  hourglass: ':hourglass_flowing_sand:',
  link: ':link:',
  repeat: ':repeat:',
  question: ':question:',
  fail: ':red_circle:',
  caution: ':warning:',
};

export { ICON_CHAR } from '../../../core/icon-chars.js';
