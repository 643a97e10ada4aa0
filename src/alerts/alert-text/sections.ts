import type { AlertStatus } from '../alert-post.js';
import type { AlertLine } from './alert-lines.js';
import type { Segment } from './message-view.js';
import type { LineReader, PlainLine } from './plain-line.js';

const IDENTIFIER = /^[A-Za-z_:][A-Za-z0-9_:]*$/;
const CAMEL_CASE = /^[A-Z][A-Za-z0-9_:]*[a-z][A-Za-z0-9_:]*$/;

/** One alert's part of a post, as the section reader collects it. */
export interface Section {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** From an `Alert:` header line. */
  name?: string;
  severity?: string;
  /** From a `Status:` line of this alert. */
  status?: AlertStatus;
  /** From an emoji on the `Alert:` header line. */
  emojiStatus?: AlertStatus;
  /** From the `Firing` / `Resolved` heading the alert is listed under (Grafana). */
  listedUnder?: AlertStatus;
}

/** What an Alertmanager-style title says: `[FIRING:2] SessionTTLViolations (info sessions prod)`. */
export interface Subject {
  status: AlertStatus;
  count?: number;
  name?: string;
  values: string[];
}

/** Picks the alert name among a title's label values: a known alert, else a CamelCase word, else the first. */
export function subjectOf(line: Extract<AlertLine, { kind: 'subject' }>, isKnown: (n: string) => boolean): Subject {
  const { tokens } = line;
  const first = tokens[0];
  const name =
    tokens.find(isKnown) ??
    tokens.find((t) => CAMEL_CASE.test(t)) ??
    (first && IDENTIFIER.test(first) ? first : undefined);
  const index = name === undefined ? -1 : tokens.indexOf(name);
  return {
    status: line.status,
    ...(line.count === undefined ? {} : { count: line.count }),
    ...(name ? { name } : {}),
    values: tokens.filter((_t, i) => i !== index),
  };
}

/** Splits a field such as Slack's `*Environment:*\nproduction` or a Teams fact into a `key: value` line. */
export function fieldLine(segment: Extract<Segment, { kind: 'field' }>, toLines: LineReader): PlainLine | undefined {
  const value = toLines(segment.value).map((l) => l.text);
  if (segment.title !== undefined) {
    const title = toLines(segment.title)
      .map((l) => l.text)
      .join(' ')
      .replace(/:$/, '');
    return title && value.length ? { text: `${title}: ${value.join(' ')}`, bullet: false } : undefined;
  }
  const [head, ...rest] = value;
  if (!head) return undefined;
  if (/^[^:]{1,40}:$/.test(head) && rest.length) return { text: `${head} ${rest.join(' ')}`, bullet: false };
  return rest.length ? undefined : { text: head, bullet: false };
}

export function emptySection(listedUnder: AlertStatus | undefined): Section {
  return { labels: {}, annotations: {}, ...(listedUnder ? { listedUnder } : {}) };
}

export const statedStatus = (s: Section) => s.status ?? s.emojiStatus ?? s.listedUnder;

export const hasContent = (s: Section) => Boolean(s.name) || Object.keys(s.labels).length > 0;
