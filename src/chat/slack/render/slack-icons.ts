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

/**
 * The characters themselves, for a header's lead: a marked-resolved header has always read `✅ Resolved
 * after …` in the API and in notifications, and alert tooling downstream matches on it.
 */
export const ICON_CHAR: Record<Icon, string> = {
  critical: '🔴',
  warning: '🟠',
  info: '🔵',
  ok: '✅',
  healthy: '✅',
  incomplete: '❔',
  findings: '🔍',
  search: '🔍',
  error: '❌',
  skipped: '⏩',
  firing: '🔥',
  resolved: '✅',
  hourglass: '⏳',
  link: '🔗',
  repeat: '🔁',
  question: '❓',
  fail: '🔴',
  caution: '⚠️',
};
