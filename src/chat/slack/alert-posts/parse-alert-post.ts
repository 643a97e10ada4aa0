import { alertKind } from '../../../alerts/alert-kinds.js';
import { ANNOTATION_KEYS, classifyLine, type AlertLine } from './alert-lines.js';
import { sharedLabels, type AlertStatus, type ParsedAlert, type ParsedAlertPost } from '../../../alerts/alert-post.js';
import { toPlainLines, type PlainLine } from './mrkdwn.js';
import { readSlackMessage, type Segment } from './slack-message.js';

export type { AlertStatus, ParsedAlert, ParsedAlertPost } from '../../../alerts/alert-post.js';

export interface ParseAlertPostOptions {
  /**
   * Names the parser prefers when a title or header holds several words
   * (default: the known alert kinds of `alert-kinds.ts`).
   */
  isKnownAlert?: (alertname: string) => boolean;
}

/** Most alerts read from one post; Alertmanager's own Slack notifications rarely list more than a few. */
const MAX_ALERTS = 100;
const LABEL_NAME = /^[a-z_][a-z0-9_]{0,63}$/;
const IDENTIFIER = /^[A-Za-z_:][A-Za-z0-9_:]*$/;
const CAMEL_CASE = /^[A-Z][A-Za-z0-9_:]*[a-z][A-Za-z0-9_:]*$/;

const RESOLVED_COLORS = new Set(['good', '#2eb886', '#36a64f', '#2eb67d']);
const FIRING_COLORS = new Set(['danger', 'warning', '#a30200', '#e01e5a', '#daa038', '#ff0000']);

interface Section {
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

interface Subject {
  status: AlertStatus;
  count?: number;
  name?: string;
  values: string[];
}

/** Picks the alert name among a title's label values: a known alert, else a CamelCase word, else the first. */
function subjectOf(line: Extract<AlertLine, { kind: 'subject' }>, isKnown: (n: string) => boolean): Subject {
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

/** Splits a Block Kit field such as `*Environment:*\nproduction` into a `key: value` line. */
function fieldLine(segment: Extract<Segment, { kind: 'field' }>): PlainLine | undefined {
  const value = toPlainLines(segment.value).map((l) => l.text);
  if (segment.title !== undefined) {
    const title = toPlainLines(segment.title)
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

function emptySection(listedUnder: AlertStatus | undefined): Section {
  return { labels: {}, annotations: {}, ...(listedUnder ? { listedUnder } : {}) };
}

const statedStatus = (s: Section) => s.status ?? s.emojiStatus ?? s.listedUnder;

const hasContent = (s: Section) => Boolean(s.name) || Object.keys(s.labels).length > 0;

function colorStatus(color: string | undefined): AlertStatus | undefined {
  const c = color?.toLowerCase();
  if (!c) return undefined;
  if (RESOLVED_COLORS.has(c)) return 'resolved';
  return FIRING_COLORS.has(c) ? 'firing' : undefined;
}

/** Walks the message's lines, cutting them into one section per alert. */
class SectionReader {
  readonly sections: Section[] = [];
  readonly subjects: Subject[] = [];
  firstEmoji: AlertStatus | undefined;
  private running: AlertStatus | undefined;
  private context: 'labels' | 'annotations' | undefined;
  private current = emptySection(undefined);

  constructor(private readonly isKnown: (n: string) => boolean) {}

  read(segments: readonly Segment[]): this {
    for (const segment of segments) {
      if (segment.kind === 'break') {
        this.startSection();
        continue;
      }
      if (segment.kind === 'field') {
        const line = fieldLine(segment);
        if (line) this.handle(line, true);
        else for (const l of toPlainLines(segment.value)) this.handle(l, false);
        continue;
      }
      for (const line of toPlainLines(segment.text)) this.handle(line, false);
    }
    if (hasContent(this.current)) this.sections.push(this.current);
    return this;
  }

  private startSection(keepContext = false): void {
    if (hasContent(this.current)) {
      this.sections.push(this.current);
      this.current = emptySection(this.running);
    }
    if (!keepContext) this.context = undefined;
  }

  private setLabel(key: string, value: string): void {
    // The same label again means the next alert of the group has begun.
    if (key in this.current.labels) this.startSection(true);
    this.current.labels[key] = value;
  }

  private setAnnotation(key: string, value: string): void {
    if (key in this.current.annotations && hasContent(this.current)) this.startSection(true);
    this.current.annotations[key] = value;
  }

  private set(to: 'labels' | 'annotations' | undefined, pairs: readonly (readonly [string, string])[]): void {
    for (const [k, v] of pairs) {
      if (to === 'annotations') this.setAnnotation(k, v);
      else this.setLabel(k, v);
    }
  }

  private handle(line: PlainLine, isField: boolean): void {
    if (line.emojiStatus) this.firstEmoji ??= line.emojiStatus;
    const c = classifyLine(line, this.isKnown);
    switch (c.kind) {
      case 'subject':
        this.startSection();
        this.subjects.push(subjectOf(c, this.isKnown));
        return;
      case 'status':
        return this.status(c);
      case 'alert':
        this.startSection();
        if (c.name) this.current.name = c.name;
        else this.current.annotations.title = c.title;
        if (c.severity) this.current.severity = c.severity;
        if (line.emojiStatus) this.current.emojiStatus = line.emojiStatus;
        return;
      case 'context':
        this.context = c.to;
        return this.set(c.to, c.pairs);
      case 'pairs':
        return this.set(this.context === 'annotations' ? 'annotations' : 'labels', c.pairs);
      case 'entry':
        return this.entry(c, isField);
      case 'other':
        return;
    }
  }

  private status(c: Extract<AlertLine, { kind: 'status' }>): void {
    if (c.standalone) {
      this.startSection();
      this.running = c.status;
      this.current.listedUnder = c.status;
      return;
    }
    // A second `Status:` line belongs to the next alert (templates that print it before the alert's name).
    if (this.current.status && hasContent(this.current)) this.startSection();
    this.current.status = c.status;
  }

  private entry(c: Extract<AlertLine, { kind: 'entry' }>, isField: boolean): void {
    const { key, value, bullet } = c;
    if (this.context === 'annotations' && (bullet || isField)) return this.setAnnotation(key, value);
    if (ANNOTATION_KEYS.has(key) && !(bullet && this.context === 'labels')) {
      if (!bullet && !isField) this.context = undefined;
      return this.setAnnotation(key, value);
    }
    if (!LABEL_NAME.test(key) || value.length > 256) return;
    if (bullet || isField || this.context === 'labels' || !/\s/.test(value)) this.setLabel(key, value);
  }
}

function readSections(segments: readonly Segment[], isKnown: (n: string) => boolean) {
  const { sections, subjects, firstEmoji } = new SectionReader(isKnown).read(segments);
  return { sections, subjects, firstEmoji };
}

function dedupe(alerts: ParsedAlert[]): ParsedAlert[] {
  const seen = new Set<string>();
  return alerts.filter((a) => {
    const key = JSON.stringify([a.alertname, a.status, Object.entries(a.labels).sort()]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function parse(message: unknown, isKnown: (n: string) => boolean): ParsedAlertPost | undefined {
  const view = readSlackMessage(message);
  if (!view) return undefined;
  const { sections, subjects, firstEmoji } = readSections(view.segments, isKnown);

  const subjectNames = [...new Set(subjects.flatMap((s) => (s.name ? [s.name] : [])))];
  const explicit = sections.flatMap((s) => statedStatus(s) ?? []);
  const status: AlertStatus =
    subjects[0]?.status ??
    (explicit.length ? (explicit.includes('firing') ? 'firing' : 'resolved') : undefined) ??
    firstEmoji ??
    colorStatus(view.colors[0]) ??
    'firing';

  const alerts: ParsedAlert[] = [];
  for (const s of sections) {
    const alertname = s.labels.alertname ?? s.name ?? (subjectNames.length === 1 ? subjectNames[0] : undefined);
    if (!alertname) continue;
    const labels: Record<string, string> = { alertname, ...s.labels };
    if (s.severity && !labels.severity) labels.severity = s.severity;
    const annotations = Object.keys(s.annotations).length ? { annotations: s.annotations } : {};
    alerts.push({ alertname, status: statedStatus(s) ?? status, labels, ...annotations });
  }
  for (const subject of subjects) {
    const name = subject.name;
    if (name && !alerts.some((a) => a.alertname === name)) {
      alerts.push({ alertname: name, status: subject.status, labels: { alertname: name } });
    }
  }
  const unique = dedupe(alerts).slice(0, MAX_ALERTS);
  if (!unique.length) return undefined;

  const firingCount = subjects.find((s) => s.count !== undefined)?.count;
  const groupValues = [...new Set(subjects.flatMap((s) => s.values))];
  return {
    alerts: unique,
    status,
    ...(firingCount === undefined ? {} : { firingCount }),
    groupLabels: sharedLabels(unique),
    groupValues,
    origin: 'slack',
    fromBot: view.fromBot,
    ...(view.ts ? { ts: view.ts } : {}),
    ...(view.threadTs ? { threadTs: view.threadTs } : {}),
    ...(view.channel ? { channel: view.channel } : {}),
  };
}

/**
 * Reads the alerts out of a Slack message event: Alertmanager's default template
 * (`[FIRING:2] SessionTTLViolations (info sessions prod)` in an attachment), custom templates
 * (`*Alert:* ...`, `*Details:*` with `• *env:* \`prod\`` bullets, `Labels: env=prod namespace=...`),
 * Grafana's `Firing` / `Labels:` / ` - env = prod` lists, incoming-webhook text and Block Kit
 * sections, fields, headers, context and rich text.
 *
 * Returns undefined for anything that is not an alert post (a deploy notice, chatter, a malformed
 * payload); never throws. Any alert name is returned, known or not: look it up with `alertKind()`.
 * Whether a person's message counts is the caller's choice: see `fromBot`.
 * Text past 40,000 characters is ignored. An edited message (`subtype: message_changed`) carries
 * its text under `message`, so it is not read here and gives undefined.
 *
 * @example
 * const post = parseAlertPost(event);
 * if (post?.fromBot && post.alerts.some((a) => alertKind(a.alertname))) { ... reply in post.ts's thread ... }
 */
export function parseAlertPost(message: unknown, options: ParseAlertPostOptions = {}): ParsedAlertPost | undefined {
  const isKnown = options.isKnownAlert ?? ((name: string) => alertKind(name) !== undefined);
  try {
    return parse(message, isKnown);
  } catch {
    // A payload whose getters throw (or a bug on an input nobody foresaw) is not an alert post.
    return undefined;
  }
}
