import { z } from 'zod';
import type { Block, Icon, Message, Span, Tone } from '../core/message.js';

// A neutral message kept in the state store (an alert diagnosis, so that its header can be marked resolved),
// read back through this schema. Every list below is checked against the type at compile time: a new icon,
// tone or block kind that the schema lacks is a type error here, not a stored message that fails to read.

const ICONS = [
  'critical',
  'warning',
  'info',
  'ok',
  'healthy',
  'incomplete',
  'findings',
  'error',
  'skipped',
  'search',
  'firing',
  'resolved',
  'hourglass',
  'link',
  'repeat',
  'question',
  'fail',
  'caution',
] as const satisfies readonly Icon[];
const TONES = ['critical', 'warning', 'info', 'healthy', 'incomplete', 'neutral'] as const satisfies readonly Tone[];

/** `true` when the list names every member of the union; else the members it lacks (a type error below). */
type Covers<Union, Listed> = [Exclude<Union, Listed>] extends [never] ? true : Exclude<Union, Listed>;
const iconsCovered: Covers<Icon, (typeof ICONS)[number]> = true;
const tonesCovered: Covers<Tone, (typeof TONES)[number]> = true;
void iconsCovered;
void tonesCovered;

const icon = z.enum(ICONS);
const span = z.union([
  z.object({
    text: z.string(),
    bold: z.boolean().optional(),
    italic: z.boolean().optional(),
    code: z.boolean().optional(),
    link: z.string().optional(),
  }),
  z.object({ icon }),
  z.object({ mentionGroup: z.string() }),
  z.object({ mentionUser: z.string() }),
]) satisfies z.ZodType<Span>;
const inline = z.array(span);
const collapse = z.object({ tag: z.string().optional(), foldAt: z.number().int().min(0).optional() }).optional();
const id = z.string().optional();
const action = z.object({
  command: z.string(),
  label: z.string(),
  ref: z.string(),
  style: z.enum(['primary', 'danger']).optional(),
});

const block = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('header'),
    text: z.string(),
    tone: z.enum(TONES).optional(),
    status: z.object({ icon, label: z.string() }).optional(),
    lead: z.object({ icon, note: z.string().optional() }).optional(),
  }),
  z.object({
    kind: z.literal('section'),
    id,
    text: inline,
    fields: z.array(z.object({ label: z.string(), value: inline })).optional(),
    collapse,
  }),
  z.object({ kind: z.literal('preformatted'), id, lines: z.array(z.string()), collapse }),
  z.object({ kind: z.literal('context'), id, items: z.array(inline) }),
  z.object({ kind: z.literal('divider') }),
  z.object({
    kind: z.literal('actions'),
    id,
    actions: z.array(action),
    audience: z.array(z.union([z.string(), z.object({ group: z.string() })])).optional(),
  }),
]) satisfies z.ZodType<Block>;
const kindsCovered: Covers<Block['kind'], z.infer<typeof block>['kind']> = true;
void kindsCovered;

/** A stored neutral message, checked block by block. */
export const storedMessageSchema = z.object({
  text: z.string(),
  summary: inline.optional(),
  blocks: z.array(block),
  overflow: z.object({ id: z.string(), noun: z.string(), hint: inline.optional() }).optional(),
}) satisfies z.ZodType<Message>;
