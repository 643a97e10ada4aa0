import type { Icon } from './message.js';

/**
 * Each icon as a character: Teams cards have no emoji codes, and a Slack header leads with one (a
 * marked-resolved header has always read `✅ Resolved after …`; alert tooling downstream matches on it).
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
