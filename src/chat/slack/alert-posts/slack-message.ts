import { z } from 'zod';
import type { MessageView, Segment } from '../../../alerts/alert-text/message-view.js';

/**
 * Limits on what is read from one Slack message, so a huge or deeply nested post costs little.
 * Text past `maxChars` (summed over the whole message) is ignored.
 */
export const MESSAGE_LIMITS = {
  maxChars: 40_000,
  maxAttachments: 20,
  maxFields: 50,
  maxBlocks: 50,
  maxRichTextNodes: 2_000,
  maxRichTextDepth: 8,
} as const;

/** Array.isArray as a guard to `unknown[]` (its own narrows to `any[]`). */
const isList = (v: unknown): v is unknown[] => Array.isArray(v);

// Every part is optional and a wrongly typed part reads as absent: one odd field must not hide an alert.
const optString = z.string().optional().catch(undefined);
const cappedArray = (max: number) =>
  z
    .unknown()
    .transform((v) => (isList(v) ? v.slice(0, max) : []))
    .catch([]);

const textObject = z.object({ text: z.string() }).optional().catch(undefined);

const blockSchema = z.object({
  type: z.string(),
  text: textObject,
  fields: cappedArray(MESSAGE_LIMITS.maxFields),
  elements: cappedArray(MESSAGE_LIMITS.maxRichTextNodes),
});

const attachmentSchema = z.object({
  title: optString,
  pretext: optString,
  text: optString,
  fallback: optString,
  color: optString,
  fields: cappedArray(MESSAGE_LIMITS.maxFields),
  blocks: cappedArray(MESSAGE_LIMITS.maxBlocks),
});

const attachmentFieldSchema = z.object({ title: optString, value: optString });

const richTextNode = z.object({
  type: z.string(),
  text: optString,
  url: optString,
  name: optString,
  elements: cappedArray(MESSAGE_LIMITS.maxRichTextNodes),
});

const messageSchema = z.object({
  type: optString,
  subtype: optString,
  text: optString,
  bot_id: optString,
  app_id: optString,
  username: optString,
  ts: optString,
  thread_ts: optString,
  channel: optString,
  attachments: cappedArray(MESSAGE_LIMITS.maxAttachments),
  blocks: cappedArray(MESSAGE_LIMITS.maxBlocks),
});

/** Hands out the character budget; once it is spent every further text reads as empty. */
function createBudget(max: number) {
  let left = max;
  return (text: string | undefined): string => {
    if (!text || left <= 0) return '';
    const taken = text.length > left ? text.slice(0, left) : text;
    left -= taken.length;
    return taken;
  };
}
type Budget = ReturnType<typeof createBudget>;

function richText(elements: unknown[], take: Budget, depth: number, count: { n: number }): string {
  if (depth > MESSAGE_LIMITS.maxRichTextDepth) return '';
  let out = '';
  for (const raw of elements) {
    if (++count.n > MESSAGE_LIMITS.maxRichTextNodes) break;
    const node = richTextNode.safeParse(raw);
    if (!node.success) continue;
    const n = node.data;
    switch (n.type) {
      case 'text':
        out += take(n.text);
        break;
      case 'link':
        out += take(n.text ?? n.url);
        break;
      case 'emoji':
        out += n.name ? take(`:${n.name}:`) : '';
        break;
      case 'rich_text_list':
        for (const item of n.elements) {
          const line = richText([item], take, depth + 1, count);
          if (line) out += `\n• ${line}`;
        }
        out += '\n';
        break;
      case 'rich_text_section':
      case 'rich_text_quote':
      case 'rich_text_preformatted':
        out += `${richText(n.elements, take, depth + 1, count)}\n`;
        break;
      default:
        // user, channel, usergroup, broadcast, date: nothing an alert parser needs.
        break;
    }
  }
  return out;
}

function blockSegments(blocks: unknown[], take: Budget): Segment[] {
  const out: Segment[] = [];
  for (const raw of blocks) {
    const parsed = blockSchema.safeParse(raw);
    if (!parsed.success) continue;
    const block = parsed.data;
    switch (block.type) {
      case 'header':
      case 'section': {
        const text = take(block.text?.text);
        if (text) out.push({ kind: 'text', text });
        for (const f of block.fields) {
          const field = textObject.parse(f);
          const value = take(field?.text);
          if (value) out.push({ kind: 'field', value });
        }
        break;
      }
      case 'context': {
        const texts = block.elements.map((e) => take(textObject.parse(e)?.text)).filter(Boolean);
        if (texts.length) out.push({ kind: 'text', text: texts.join(' ') });
        break;
      }
      case 'rich_text': {
        const text = richText(block.elements, take, 0, { n: 0 });
        if (text.trim()) out.push({ kind: 'text', text });
        break;
      }
      default:
        // divider, actions, image, ...: no alert text.
        break;
    }
  }
  return out;
}

function attachmentSegments(attachments: unknown[], take: Budget, colors: string[]): Segment[] {
  const out: Segment[] = [];
  for (const raw of attachments) {
    const parsed = attachmentSchema.safeParse(raw);
    if (!parsed.success) continue;
    const a = parsed.data;
    if (a.color) colors.push(a.color);
    out.push({ kind: 'break' });
    for (const part of [a.pretext, a.title, a.text]) {
      const text = take(part);
      if (text) out.push({ kind: 'text', text });
    }
    for (const f of a.fields) {
      const field = attachmentFieldSchema.safeParse(f);
      if (!field.success) continue;
      const title = take(field.data.title);
      const value = take(field.data.value);
      if (value) out.push({ kind: 'field', title, value });
    }
    out.push(...blockSegments(a.blocks, take));
    // The fallback repeats the title (Alertmanager: "<title> | <link>"); read it only when nothing else is there.
    if (!a.title && !a.text && !a.fields.length) {
      const text = take(a.fallback);
      if (text) out.push({ kind: 'text', text });
    }
  }
  return out;
}

/**
 * Validates the parts of a Slack message event that alert parsing reads and lists its text in reading
 * order. Returns undefined when the payload is not an object. Never throws on odd input: a part with
 * the wrong type reads as absent.
 */
export function readSlackMessage(message: unknown): MessageView | undefined {
  const parsed = messageSchema.safeParse(message);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  const take = createBudget(MESSAGE_LIMITS.maxChars);
  const colors: string[] = [];

  // Blocks come first and, when they say anything, the top-level text is only their notification fallback.
  const blocks = blockSegments(m.blocks, take);
  const segments: Segment[] = blocks.length ? blocks : [];
  if (!blocks.length) {
    const text = take(m.text);
    if (text) segments.push({ kind: 'text', text });
  }
  segments.push(...attachmentSegments(m.attachments, take, colors));

  return {
    segments,
    colors,
    fromBot: m.subtype === 'bot_message' || Boolean(m.bot_id) || Boolean(m.app_id),
    ts: m.ts,
    threadTs: m.thread_ts,
    channel: m.channel,
  };
}
