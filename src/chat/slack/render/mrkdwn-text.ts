import type { Inline, Span } from '../../../core/message.js';
import { ICON_EMOJI } from './slack-icons.js';

/** Escapes the three characters Slack's mrkdwn treats as control (`<!channel>`, links, entities). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts `text` to at most `max` characters, ending with `…`, without splitting an `&amp;` entity or
 * leaving half of a `<url|label>` link or `<!subteam^…>` mention (Slack would show it raw).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  cut = cut.replace(/&[a-z]{0,4}$/, '').replace(/<[^>]*$/, '');
  return `${cut}…`;
}

/** Slack user-group ids; anything else (`<!channel>` from a config typo) must not become markup. */
const GROUP_ID = /^S[A-Z0-9]{2,20}$/;
/** Slack user ids (U…, W… for Enterprise Grid). */
const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
/** Slack channel ids (C…, G… for private channels). */
const CHANNEL_ID = /^[CG][A-Z0-9]{2,20}$/;

/** `<url|label>`; only web links, and the url cannot close the link or start a label early. */
function link(url: string, label: string): string {
  if (!/^https?:\/\//i.test(url)) return escapeMrkdwn(label);
  return `<${url.replace(/[|<>\s]/g, encodeURIComponent)}|${escapeMrkdwn(label)}>`;
}

function span(s: Span): string {
  if ('icon' in s) return ICON_EMOJI[s.icon];
  if ('mentionGroup' in s) return GROUP_ID.test(s.mentionGroup) ? `<!subteam^${s.mentionGroup}>` : '';
  if ('mentionUser' in s) return USER_ID.test(s.mentionUser) ? `<@${s.mentionUser}>` : '';
  if ('mentionChannel' in s)
    return CHANNEL_ID.test(s.mentionChannel) ? `<#${s.mentionChannel}>` : escapeMrkdwn(`#${s.mentionChannel}`);
  if (!s.text) return '';
  if (s.link) return link(s.link, s.text);
  if (s.code) return code(s.text);
  let out = plain(s.text);
  if (s.bold) out = emphasis(out, '*');
  if (s.italic) out = emphasis(out, '_');
  return out;
}

/** Inline code; a backtick inside would end it early. */
function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

/**
 * Plain text, escaped. A word with a `*` in it (a key pattern such as `session:*`) is shown as code: Slack
 * has no escape for it, and a lone one would pair with the next marker and bold half a sentence.
 */
function plain(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) => {
      if (!word.includes('*')) return escapeMrkdwn(word);
      // Punctuation around the pattern stays outside the code span.
      const m = /^([("']*)(.*?)([)"'.,;:!?]*)$/.exec(word);
      const [lead = '', core = word, trail = ''] = m ? m.slice(1) : [];
      return `${escapeMrkdwn(lead)}${code(core)}${escapeMrkdwn(trail)}`;
    })
    .join('');
}

/**
 * `*bold*` / `_italic_` as Slack renders them: the markers must touch the text, so spaces at either end go
 * outside (`*Change: *` would show the asterisks).
 */
function emphasis(text: string, marker: '*' | '_'): string {
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
  const [lead = '', core = '', trail = ''] = m ? m.slice(1) : [];
  return core ? `${lead}${marker}${core}${marker}${trail}` : text;
}

/** Inline content as mrkdwn: every text escaped, so data never becomes a mention or a link. */
export function toMrkdwn(inline: Inline): string {
  return inline.map(span).join('').trimStart();
}

/**
 * Mrkdwn of `inline` within `max` characters. The longest plain text is cut first, so a long detail
 * gives way before the title or the fix around it; a hard cut at the end is the last resort.
 */
export function fitMrkdwn(inline: Inline, max: number): string {
  let spans = [...inline];
  for (let round = 0; round < 8; round++) {
    const over = toMrkdwn(spans).length - max;
    if (over <= 0) break;
    let longest = -1;
    spans.forEach((s, i) => {
      const cur = longest >= 0 ? spans[longest] : undefined;
      if ('text' in s && !s.link && (!cur || !('text' in cur) || s.text.length > cur.text.length)) longest = i;
    });
    const target = longest >= 0 ? spans[longest] : undefined;
    if (!target || !('text' in target) || target.text.length <= 40) break;
    // Escaping can grow the text; cut a little more than the overflow.
    const keep = Math.max(20, target.text.length - over - 8);
    spans = spans.map((s, i) => (i === longest && 'text' in s ? { ...s, text: `${s.text.slice(0, keep - 1)}…` } : s));
  }
  return truncate(toMrkdwn(spans), max);
}
