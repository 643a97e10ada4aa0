import type { AlertStatus } from '../alert-post.js';
import type { PlainLine } from './plain-line.js';

/** What one plain line of an alert post says. */
export type AlertLine =
  /** Alertmanager's default title: `[FIRING:2] SessionTTLViolations (info sessions prod)`. */
  | { kind: 'subject'; status: AlertStatus; count?: number; tokens: string[] }
  /** `Firing` / `Resolved` on a line of its own (Grafana), or `Status: resolved`. */
  | { kind: 'status'; status: AlertStatus; standalone: boolean }
  /** `Alert: SessionTTLViolations - info`: starts the next alert of a multi-alert post. */
  | { kind: 'alert'; name?: string; severity?: string; title: string }
  /** `Labels:` / `Details:` / `Annotations:`, possibly followed by `k=v` pairs on the same line. */
  | { kind: 'context'; to: 'labels' | 'annotations'; pairs: Array<[string, string]> }
  /** A line made only of `k=v` pairs: `alertname=SessionTTLViolations env=prod`. */
  | { kind: 'pairs'; pairs: Array<[string, string]> }
  /** `key: value`, `- key = value`. `key` is lowercased, spaces become `_`. */
  | { kind: 'entry'; key: string; value: string; bullet: boolean }
  | { kind: 'other' };

// Up to a few leading characters so a Unicode emoji ("🔥 [FIRING:1] ...") does not hide the subject.
const SUBJECT = /^[^A-Za-z0-9[]{0,8}\[(firing|resolved)(?:\s*:\s*(\d{1,6}))?\]\s*(.*)$/i;
const STANDALONE_STATUS = /^(firing|resolved)\s*:?$/i;
const ENTRY = /^([A-Za-z][A-Za-z0-9_ .-]{0,40}?)\s*:\s*(.*)$/;
const EQUALS_ENTRY = /^([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*=\s*(.+)$/;
const PAIR = /([A-Za-z_][A-Za-z0-9_]{0,63})\s*=\s*("(?:[^"\\]|\\.){0,512}"|[^\s,"{}]{1,512})[\s,]*/y;
const IDENTIFIER = /^[A-Za-z_:][A-Za-z0-9_:]*$/;

/** Keys that name the alert in a custom template's header line. */
const ALERT_HEADER_KEYS = new Set(['alert', 'alert_name', 'alarm']);
const LABEL_CONTEXT_KEYS = new Set(['labels', 'details', 'alert_labels', 'common_labels', 'group_labels']);
const ANNOTATION_CONTEXT_KEYS = new Set(['annotations', 'common_annotations']);
const STATUS_KEYS = new Set(['status', 'state']);
/** Keys whose value is prose or a link, i.e. an annotation rather than a label. */
export const ANNOTATION_KEYS = new Set([
  'summary',
  'description',
  'message',
  'runbook',
  'runbook_url',
  'graph',
  'dashboard',
  'title',
  'value',
  'source',
  'silence',
  'panel',
  'generator_url',
  'details',
]);
const MAX_TOKENS = 50;

/** Parses `a=b c="d e", f=g` (optionally in braces) into pairs; undefined unless the whole text is pairs. */
export function parsePairs(text: string): Array<[string, string]> | undefined {
  const body = text.replace(/^\{\s*/, '').replace(/\s*\}$/, '');
  const pairs: Array<[string, string]> = [];
  PAIR.lastIndex = 0;
  while (PAIR.lastIndex < body.length) {
    const at = PAIR.lastIndex;
    const m = PAIR.exec(body);
    if (!m || m.index !== at) return undefined;
    const raw = m[2] ?? '';
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    pairs.push([m[1] ?? '', value]);
  }
  return pairs.length ? pairs : undefined;
}

/** `Alert name` -> `alert_name`, `Env` -> `env`. */
export function normalizeKey(key: string): string {
  return key
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, '_');
}

function statusWord(value: string): AlertStatus | undefined {
  const word = value.trim().split(/\s/)[0]?.toLowerCase();
  return word === 'firing' || word === 'resolved' ? word : undefined;
}

function subjectTokens(rest: string): string[] {
  // Alertmanager's fallback appends " | <alertmanager link>".
  // Anything after the parenthesised values is not the template's (a person's remark, a link).
  const title = rest.split(' | ')[0] ?? '';
  const open = title.indexOf('(');
  const close = open < 0 ? -1 : title.indexOf(')', open);
  const values = close < 0 ? title : `${title.slice(0, open)} ${title.slice(open + 1, close)}`;
  return values.split(/\s+/).filter(Boolean).slice(0, MAX_TOKENS);
}

/** `SessionTTLViolations - info` -> name and severity; a sentence gives no name (its title is kept). */
function alertHeader(value: string, isKnownAlert: (name: string) => boolean): AlertLine {
  const title = value.trim();
  const known = title.split(/[\s,;|()[\]]+/).find((t) => isKnownAlert(t));
  const m = /^(\S+)(?:\s+[-–—|]\s+(\w+))?$/.exec(title);
  const name = known ?? (m && IDENTIFIER.test(m[1] ?? '') ? m[1] : undefined);
  const severity = m && name === m[1] ? m[2] : undefined;
  return { kind: 'alert', title, ...(name ? { name } : {}), ...(severity ? { severity } : {}) };
}

/**
 * Classifies one plain line of an alert post. `isKnownAlert` lets a header such as
 * `Alert: SessionTTLViolations fired in prod` still yield the alert name.
 */
export function classifyLine(line: PlainLine, isKnownAlert: (name: string) => boolean): AlertLine {
  const text = line.text;
  const subject = SUBJECT.exec(text);
  if (subject) {
    // SUBJECT matches only these two words.
    const status: AlertStatus = subject[1]?.toLowerCase() === 'resolved' ? 'resolved' : 'firing';
    const count = subject[2] === undefined ? undefined : Number(subject[2]);
    return {
      kind: 'subject',
      status,
      ...(count === undefined ? {} : { count }),
      tokens: subjectTokens(subject[3] ?? ''),
    };
  }
  const standalone = STANDALONE_STATUS.exec(text);
  if (standalone && !line.bullet) return { kind: 'status', status: statusWord(standalone[1] ?? '')!, standalone: true };

  const pairs = parsePairs(text);
  if (pairs && (pairs.length > 1 || !line.bullet)) return { kind: 'pairs', pairs };

  const entry = ENTRY.exec(text) ?? (line.bullet ? EQUALS_ENTRY.exec(text) : null);
  if (!entry) return { kind: 'other' };
  const key = normalizeKey(entry[1] ?? '');
  const value = (entry[2] ?? '').trim();
  if (value.startsWith('//')) return { kind: 'other' }; // a bare URL, not "key: value"

  if (!line.bullet) {
    if (ALERT_HEADER_KEYS.has(key) && value) return alertHeader(value, isKnownAlert);
    if (LABEL_CONTEXT_KEYS.has(key) && (!value || parsePairs(value)))
      return { kind: 'context', to: 'labels', pairs: parsePairs(value) ?? [] };
    if (ANNOTATION_CONTEXT_KEYS.has(key) && (!value || parsePairs(value)))
      return { kind: 'context', to: 'annotations', pairs: parsePairs(value) ?? [] };
    if (STATUS_KEYS.has(key)) {
      const status = statusWord(value);
      if (status) return { kind: 'status', status, standalone: false };
    }
  }
  if (!value) return { kind: 'other' };
  return { kind: 'entry', key, value, bullet: line.bullet };
}
