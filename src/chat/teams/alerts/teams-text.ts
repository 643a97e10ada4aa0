import { BULLET, type PlainLine } from '../../../alerts/alert-text/plain-line.js';

/** Lines longer than this are not parsed for structure (no template writes them). */
const MAX_LINE = 2_000;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (m, e: string) => {
    if (e.startsWith('#')) {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** HTML (people's messages, some cards) as text with line breaks where the markup broke lines. */
function htmlToText(text: string): string {
  return decodeEntities(
    text
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<li[^>]{0,200}>/gi, '\n- ')
      .replace(/<\/(p|div|li|h[1-6]|tr|ul|ol)>/gi, '\n')
      .replace(/<[^<>]{0,400}>/g, ''),
  );
}

/** `# Alerts Firing:` (Alertmanager's Teams templates) as the status heading the alert reader knows. */
function heading(line: string): string {
  const m = /^\s{0,3}#{1,6}\s*(.*)$/.exec(line);
  if (!m) return line;
  const title = (m[1] ?? '').trim();
  const status = /^alerts\s+(firing|resolved)\s*:?$/i.exec(title);
  return status?.[1] ? `${status[1][0]?.toUpperCase()}${status[1].slice(1).toLowerCase()}` : title;
}

function plain(line: string): string {
  return line
    .replace(/\[([^\]\n]{0,500})\]\(([^)\s]{0,2000})\)/g, (_m, label: string, url: string) => label || url)
    .replace(/\*\*|__/g, '')
    .replace(/(?<![A-Za-z0-9\\])\*+|(?<!\\)\*+(?![A-Za-z0-9])/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, '$1')
    .replace(/`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Teams message text (the HTML of a person's message, the markdown of a card's TextBlock or MessageCard)
 * as plain lines: tags and entities undone, `[label](url)` read as its label, bold and escapes (`\_`, as
 * prometheus-msteams writes label names) removed, list markers noted, `# Alerts Firing:` read as `Firing`.
 *
 * @example
 * teamsLines('# Alerts Firing:\n\nLabels:\n  - alert\\_name = X')
 * // [{ text: 'Firing', bullet: false }, { text: 'Labels:', bullet: false }, { text: 'alert_name = X', bullet: true }]
 */
export function teamsLines(text: string): PlainLine[] {
  const out: PlainLine[] = [];
  for (const raw of htmlToText(text).split(/\r?\n/)) {
    if (raw.length > MAX_LINE) continue;
    let line = heading(raw);
    const bullet = BULLET.test(line);
    if (bullet) line = line.replace(BULLET, '');
    const text = plain(line);
    if (text) out.push({ text, bullet });
  }
  return out;
}
