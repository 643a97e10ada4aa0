import { t, type Block, type Inline, type Message, type Span } from '../../../core/message.js';

/** Teams refuses a message (the activity, card included) over 28 KB. */
export const TEAMS_MESSAGE_MAX_BYTES = 28 * 1024;

/** Which findings give way first: the lowest severity, the last one first; an unknown tag before `info`. */
const RANK: Record<string, number> = { info: 1, warning: 2, critical: 3 };
const rank = (b: Block) => ('collapse' in b && b.collapse?.tag ? (RANK[b.collapse.tag] ?? 0) : 0);
const collapsible = (b: Block) => (b.kind === 'section' || b.kind === 'preformatted') && b.collapse !== undefined;

/** Every collapsible section cut at its fold (the evidence line), and the collapsible charts left out. */
function folded(blocks: readonly Block[]): { blocks: Block[]; notes: string[] } {
  let sections = 0;
  let charts = 0;
  const out: Block[] = [];
  for (const b of blocks) {
    if (b.kind === 'preformatted' && b.collapse) charts += 1;
    else if (b.kind === 'section' && b.collapse?.foldAt !== undefined && b.collapse.foldAt < b.text.length) {
      out.push({ ...b, text: b.text.slice(0, b.collapse.foldAt) });
      sections += 1;
    } else out.push(b);
  }
  const notes = [
    ...(sections ? [`the evidence of ${plural(sections, 'finding')} folded`] : []),
    ...(charts ? [`${plural(charts, 'chart')} left out`] : []),
  ];
  return { blocks: out, notes };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** "…and 3 more findings (2 info, 1 warning). Run `…` for the full report." in place of the ones left out. */
function moreLine(message: Message, hidden: readonly Block[]): Block {
  const tags = new Map<string, number>();
  for (const b of hidden)
    if ('collapse' in b && b.collapse?.tag) tags.set(b.collapse.tag, (tags.get(b.collapse.tag) ?? 0) + 1);
  const counts = [...tags].sort(([a], [b]) => (RANK[b] ?? 0) - (RANK[a] ?? 0));
  const byTag = counts.length ? ` (${counts.map(([tag, n]) => `${n} ${tag}`).join(', ')})` : '';
  const noun = message.overflow?.noun ?? 'block';
  return {
    kind: 'section',
    id: message.overflow?.id ?? 'more',
    text: [t(`…and ${plural(hidden.length, `more ${noun}`)}${byTag}. `), ...(message.overflow?.hint ?? [])],
  };
}

/** The line that says what was left out, right under the header. */
function leftOutNote(what: readonly string[]): Block {
  const text: Inline = [
    { icon: 'caution' },
    t(` Shortened to fit Teams' 28 KB message limit: ${what.join('; ')}.`, { italic: true }),
  ];
  return { kind: 'context', id: 'shortened', items: [text] };
}

function withNote(blocks: readonly Block[], what: readonly string[]): Block[] {
  const at = blocks[0]?.kind === 'header' ? 1 : 0;
  return [...blocks.slice(0, at), leftOutNote(what), ...blocks.slice(at)];
}

/** Drops collapsible sections, lowest severity and last first, until `fits`; undefined when even none fit. */
function summarised(message: Message, blocks: Block[], notes: string[], fits: (m: Message) => boolean) {
  const order = blocks
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => collapsible(b))
    .sort((x, y) => rank(x.b) - rank(y.b) || y.i - x.i);
  // The "…and N more" line ends the findings, where the last of them was.
  const lastCollapsible = Math.max(...order.map(({ i }) => i));
  const hidden = new Set<number>();
  for (const { i } of order) {
    hidden.add(i);
    const gone = blocks.filter((_, j) => hidden.has(j));
    const kept = blocks.flatMap((b, j) => [
      ...(hidden.has(j) ? [] : [b]),
      ...(j === lastCollapsible ? [moreLine(message, gone)] : []),
    ]);
    const what = [...notes, `${plural(gone.length, `lower-severity ${message.overflow?.noun ?? 'block'}`)} summarised`];
    const candidate = { ...message, blocks: withNote(kept, what) };
    if (fits(candidate)) return candidate;
  }
  return undefined;
}

const clipSpan = (s: Span, max: number): Span =>
  'text' in s && s.text.length > max ? { ...s, text: `${s.text.slice(0, max - 1)}…` } : s;

/** Last resort: every text clipped, then blocks dropped from the end (the header stays). */
function cutDown(message: Message, fits: (m: Message) => boolean): Message {
  const clipped = message.blocks.map((b): Block => {
    if (b.kind === 'section') return { ...b, text: b.text.map((s) => clipSpan(s, 300)) };
    if (b.kind === 'preformatted') return { ...b, lines: b.lines.slice(0, 30) };
    if (b.kind === 'context') return { ...b, items: b.items.map((i) => i.map((s) => clipSpan(s, 300))) };
    return b;
  });
  for (let n = clipped.length; n > 1; n -= 1) {
    const candidate = { ...message, blocks: withNote(clipped.slice(0, n), ['long texts clipped', 'the end left out']) };
    if (fits(candidate)) return candidate;
  }
  return { ...message, blocks: withNote(clipped.slice(0, 1), ['everything but the title left out']) };
}

/**
 * The message cut down until `fits` (its rendering is under Teams' limit): first each finding's evidence
 * is folded (the evidence line and charts left out), then lower-severity findings give way to one
 * "…and N more" line, and a line under the header says what was left out. Unchanged when it fits. Pure.
 */
export function fitMessage(message: Message, fits: (m: Message) => boolean): Message {
  if (fits(message)) return message;
  const { blocks, notes } = folded(message.blocks);
  const foldedMessage = { ...message, blocks: withNote(blocks, notes) };
  if (notes.length && fits(foldedMessage)) return foldedMessage;
  return summarised(message, blocks, notes, fits) ?? cutDown(message, fits);
}
