import type { AlertStatus } from '../alert-post.js';
import { ANNOTATION_KEYS, classifyLine, type AlertLine } from './alert-lines.js';
import type { Segment } from './message-view.js';
import type { LineReader, PlainLine } from './plain-line.js';
import { emptySection, fieldLine, hasContent, subjectOf, type Section, type Subject } from './sections.js';

const LABEL_NAME = /^[a-z_][a-z0-9_]{0,63}$/;

/** Walks the message's lines, cutting them into one section per alert. */
class SectionReader {
  readonly sections: Section[] = [];
  readonly subjects: Subject[] = [];
  firstEmoji: AlertStatus | undefined;
  private running: AlertStatus | undefined;
  private context: 'labels' | 'annotations' | undefined;
  private current = emptySection(undefined);

  constructor(
    private readonly isKnown: (n: string) => boolean,
    private readonly toLines: LineReader,
  ) {}

  read(segments: readonly Segment[]): this {
    for (const segment of segments) {
      if (segment.kind === 'break') {
        this.startSection();
        continue;
      }
      if (segment.kind === 'field') {
        const line = fieldLine(segment, this.toLines);
        if (line) this.handle(line, true);
        else for (const l of this.toLines(segment.value)) this.handle(l, false);
        continue;
      }
      for (const line of this.toLines(segment.text)) this.handle(line, false);
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

/** The post's alerts (one section each), its Alertmanager-style titles and the first status emoji. */
export function readSections(segments: readonly Segment[], isKnown: (n: string) => boolean, toLines: LineReader) {
  const { sections, subjects, firstEmoji } = new SectionReader(isKnown, toLines).read(segments);
  return { sections, subjects, firstEmoji };
}
