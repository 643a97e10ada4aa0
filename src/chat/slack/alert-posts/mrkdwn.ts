import type { AlertStatus } from '../../../alerts/alert-post.js';
import { BULLET, type PlainLine } from '../../../alerts/alert-text/plain-line.js';

export type { PlainLine } from '../../../alerts/alert-text/plain-line.js';

const FIRING_EMOJI = new Set([
  'fire',
  'rotating_light',
  'red_circle',
  'alert',
  'bangbang',
  'boom',
  'sos',
  'x',
  'warning',
  'exclamation',
]);
const RESOLVED_EMOJI = new Set([
  'white_check_mark',
  'heavy_check_mark',
  'ballot_box_with_check',
  'large_green_circle',
  'green_circle',
  'green_heart',
  'ok',
]);

/** Lines longer than this are not parsed for structure (no template writes them). */
const MAX_LINE = 2_000;

// Slack's <target|label> links, user/channel mentions and special commands.
const LINK = /<([^<>|\n]*)(?:\|([^<>\n]*))?>/g;
// An emoji code not glued to a word, so "10:30:45" and "http://host:9093/" stay intact.
const EMOJI = /(?<![A-Za-z0-9]):([a-z0-9_+-]{1,64}):/g;

function linkText(_match: string, target: string, label: string | undefined): string {
  if (label) return label;
  if (target.startsWith('!')) return `@${target.slice(1).split('^')[0] ?? ''}`;
  if (target.startsWith('@') || target.startsWith('#')) return target;
  return target;
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Drops bold, strike and italic markers outside code spans; code (`...`) is kept verbatim. */
function stripDecorations(text: string): string {
  return text
    .split('`')
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/[*~]/g, '').replace(/(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])/g, ''),
    )
    .join('');
}

/**
 * Turns Slack mrkdwn into plain lines: links become their label, emoji codes are removed (and read as a
 * status hint), `*bold*`, `_italic_`, `~strike~` and backticks are dropped, list markers are noted.
 *
 * @example
 * toPlainLines(' • *env:* `prod`') // [{ text: 'env: prod', bullet: true }]
 */
export function toPlainLines(mrkdwn: string): PlainLine[] {
  const out: PlainLine[] = [];
  for (const rawLine of mrkdwn.replace(LINK, linkText).split(/\r?\n/)) {
    if (rawLine.length > MAX_LINE) continue;
    let emojiStatus: AlertStatus | undefined;
    let line = rawLine.replace(EMOJI, (_m, name: string) => {
      if (!emojiStatus && FIRING_EMOJI.has(name)) emojiStatus = 'firing';
      if (!emojiStatus && RESOLVED_EMOJI.has(name)) emojiStatus = 'resolved';
      return ' ';
    });
    line = line.replace(/^\s*(?:>|&gt;)\s?/, '');
    const bullet = BULLET.test(line);
    if (bullet) line = line.replace(BULLET, '');
    const text = decodeEntities(stripDecorations(line)).replace(/\s+/g, ' ').trim();
    if (!text && !emojiStatus) continue;
    out.push(emojiStatus ? { text, bullet, emojiStatus } : { text, bullet });
  }
  return out;
}
