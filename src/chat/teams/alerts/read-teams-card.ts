import { z } from 'zod';
import type { MessageView, Segment } from '../../../alerts/alert-text/message-view.js';

/** Limits on what is read from one message, so a huge or deeply nested card costs little. */
export const CARD_LIMITS = { maxChars: 40_000, maxAttachments: 10, maxElements: 500, maxDepth: 8 } as const;

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
/** A MessageCard (Office 365 connector card), as incoming webhooks and prometheus-msteams post them. */
export const MESSAGE_CARD = 'application/vnd.microsoft.teams.card.o365connector';

const isList = (v: unknown): v is unknown[] => Array.isArray(v);
// Every part is optional and a wrongly typed part reads as absent: one odd field must not hide an alert.
const str = z.string().optional().catch(undefined);
const list = z
  .unknown()
  .transform((v) => (isList(v) ? v.slice(0, CARD_LIMITS.maxElements) : []))
  .catch([]);

const attachmentSchema = z.object({ contentType: str, content: z.unknown() });
const elementSchema = z.object({
  type: str,
  text: str,
  color: str,
  inlines: list,
  facts: list,
  items: list,
  columns: list,
  body: list,
});
const factSchema = z.object({ title: str, name: str, value: str });
const inlineSchema = z.object({ text: str });
const sectionSchema = z.object({
  activityTitle: str,
  activitySubtitle: str,
  activityText: str,
  title: str,
  text: str,
  facts: list,
});
const messageCardSchema = z.object({ themeColor: str, title: str, text: str, sections: list });

/** Hands out the character budget; once spent, every further text reads as empty. */
function budget(max: number) {
  let left = max;
  return (text: string | undefined): string => {
    if (!text || left <= 0) return '';
    const taken = text.slice(0, left);
    left -= taken.length;
    return taken;
  };
}
type Take = ReturnType<typeof budget>;

class CardReader {
  readonly segments: Segment[] = [];
  readonly colors: string[] = [];
  private elements = 0;
  constructor(private readonly take: Take) {}

  text(value: string | undefined): void {
    const text = this.take(value);
    if (text) this.segments.push({ kind: 'text', text });
  }

  facts(raw: unknown[]): void {
    this.segments.push({ kind: 'break' });
    for (const f of raw) {
      const fact = factSchema.safeParse(f).data;
      const title = this.take(fact?.title ?? fact?.name);
      const value = this.take(fact?.value);
      if (value) this.segments.push({ kind: 'field', ...(title ? { title } : {}), value });
    }
  }

  /** An Adaptive Card's elements in reading order: text blocks, rich text, fact sets, containers' items. */
  adaptive(raw: unknown[], depth: number): void {
    if (depth > CARD_LIMITS.maxDepth) return;
    for (const r of raw) {
      if (++this.elements > CARD_LIMITS.maxElements) return;
      const el = elementSchema.safeParse(r).data;
      if (!el) continue;
      if (el.color) this.colors.push(el.color);
      if (el.type === 'TextBlock') this.text(el.text);
      else if (el.type === 'RichTextBlock')
        this.text(el.inlines.map((i) => inlineSchema.safeParse(i).data?.text ?? '').join(''));
      else if (el.type === 'FactSet') this.facts(el.facts);
      else this.adaptive([...el.body, ...el.items, ...el.columns], depth + 1);
    }
  }

  /** A MessageCard: its title and text, then each section's titles, text and facts. */
  messageCard(content: unknown): void {
    const card = messageCardSchema.safeParse(content).data;
    if (!card) return;
    if (card.themeColor) this.colors.push(card.themeColor);
    this.text(card.title);
    this.text(card.text);
    for (const raw of card.sections) {
      const s = sectionSchema.safeParse(raw).data;
      if (!s) continue;
      this.segments.push({ kind: 'break' });
      for (const part of [s.activityTitle, s.activitySubtitle, s.activityText, s.title, s.text]) this.text(part);
      if (s.facts.length) this.facts(s.facts);
    }
  }
}

export interface TeamsMessageParts {
  /** The message's own text (HTML), read only when its cards say nothing. */
  text?: string;
  attachments: readonly unknown[];
  fromBot: boolean;
  channel: string;
  ts: string;
  threadTs?: string;
}

/**
 * The text of a Teams message in reading order, for the alert reader: its Adaptive Cards (Alertmanager's
 * `msteamsv2`, Grafana's, prometheus-msteams' workflow card) and MessageCards (Alertmanager's `msteams`,
 * prometheus-msteams), else its text. Never throws on odd input: a part of the wrong type reads as absent.
 */
export function readTeamsMessage(m: TeamsMessageParts): MessageView {
  const reader = new CardReader(budget(CARD_LIMITS.maxChars));
  for (const raw of m.attachments.slice(0, CARD_LIMITS.maxAttachments)) {
    const a = attachmentSchema.safeParse(raw).data;
    if (a?.contentType === ADAPTIVE_CARD) reader.adaptive(elementSchema.safeParse(a.content).data?.body ?? [], 0);
    else if (a?.contentType === MESSAGE_CARD) reader.messageCard(a.content);
  }
  if (!reader.segments.some((s) => s.kind !== 'break')) reader.text(m.text);
  return {
    segments: reader.segments,
    colors: reader.colors,
    fromBot: m.fromBot,
    channel: m.channel,
    ts: m.ts,
    ...(m.threadTs ? { threadTs: m.threadTs } : {}),
  };
}
