import { ICON_CHAR } from '../../../core/icon-chars.js';
import type { Block, Inline, Message, Span, Tone } from '../../../core/message.js';
import { plainText } from '../../../core/message.js';
import { actionsElements, cardRefresh, personalBlock, type AudienceView } from './card-actions.js';
import { fitMessage, TEAMS_MESSAGE_MAX_BYTES } from './card-budget.js';

/** The Adaptive Card schema version Teams renders on desktop, web and mobile. */
export const CARD_VERSION = '1.5';

export type CardElement = Record<string, unknown>;

/** An Adaptive Card (https://adaptivecards.io/explorer/AdaptiveCard.html) as plain JSON. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: typeof CARD_VERSION;
  body: CardElement[];
  fallbackText: string;
  msteams: { width: 'Full' };
  /** Present when some buttons are for some people only: Teams asks for each one's view (user-specific views). */
  refresh?: CardElement;
}

const TONE_COLOR: Record<Tone, string> = {
  critical: 'Attention',
  warning: 'Warning',
  info: 'Accent',
  healthy: 'Good',
  incomplete: 'Warning',
  neutral: 'Default',
};

/**
 * One span as a RichTextBlock TextRun. TextRuns are literal text (no markdown), so nothing needs escaping;
 * code is monospace, a link is the run's OpenUrl action. Mentions are text until Teams mentions (AAD ids)
 * come with the approvals slice.
 */
function textRun(span: Span): CardElement {
  if ('icon' in span) return { type: 'TextRun', text: ICON_CHAR[span.icon] };
  if ('mentionGroup' in span) return { type: 'TextRun', text: `@${span.mentionGroup}`, weight: 'Bolder' };
  if ('mentionUser' in span) return { type: 'TextRun', text: `@${span.mentionUser}`, weight: 'Bolder' };
  if ('mentionChannel' in span) return { type: 'TextRun', text: `#${span.mentionChannel}` };
  return {
    type: 'TextRun',
    text: span.text,
    ...(span.bold ? { weight: 'Bolder' } : {}),
    ...(span.italic ? { italic: true } : {}),
    ...(span.code ? { fontType: 'Monospace' } : {}),
    ...(span.link ? { selectAction: { type: 'Action.OpenUrl', url: span.link } } : {}),
  };
}

/** A RichTextBlock of the spans; `run` styles every TextRun (RichTextBlock itself has no subtle or size). */
const richText = (inline: Inline, run: CardElement = {}, extra: CardElement = {}): CardElement => ({
  type: 'RichTextBlock',
  inlines: inline.map((s) => ({ ...textRun(s), ...run })),
  ...extra,
});

function header(b: Extract<Block, { kind: 'header' }>): CardElement {
  const lead = b.lead ? `${ICON_CHAR[b.lead.icon]}${b.lead.note ? ` ${b.lead.note}` : ''} ` : '';
  const status = b.status ? `  ${ICON_CHAR[b.status.icon]} ${b.status.label}` : '';
  return {
    type: 'TextBlock',
    text: `${lead}${b.text}${status}`,
    size: 'Large',
    weight: 'Bolder',
    wrap: true,
    color: TONE_COLOR[b.tone ?? 'neutral'],
  };
}

/** One neutral block as card elements; `view.personal`: buttons meant for some people only are shown. */
function elements(block: Block, view: AudienceView): CardElement[] {
  switch (block.kind) {
    case 'header':
      return [header(block)];
    case 'section': {
      const text = block.text.length ? [richText(block.text)] : [];
      const facts = (block.fields ?? []).map((f) => ({ title: f.label, value: plainText(f.value) }));
      return facts.length ? [...text, { type: 'FactSet', facts }] : text;
    }
    case 'preformatted':
      return [richText([{ text: block.lines.join('\n'), code: true }])];
    case 'context':
      return [
        richText(
          block.items.flatMap((item, i) => (i ? [{ text: '  ·  ' }, ...item] : item)),
          { isSubtle: true, size: 'Small' },
          { spacing: 'Small' },
        ),
      ];
    case 'actions':
      return actionsElements(block, view);
    case 'divider':
      return [];
  }
}

function render(message: Message, view: AudienceView): AdaptiveCard {
  const body: CardElement[] = [];
  let separate = false;
  for (const block of message.blocks) {
    if (block.kind === 'divider') {
      separate = true;
      continue;
    }
    for (const el of elements(block, view)) {
      body.push(separate ? { ...el, separator: true } : el);
      separate = false;
    }
  }
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    fallbackText: message.text,
    msteams: { width: 'Full' },
    ...refreshOf(message, view),
  };
}

function refreshOf(message: Message, view: AudienceView): { refresh?: CardElement } {
  const block = personalBlock(message.blocks);
  return block ? { refresh: cardRefresh(block, view.refreshUserIds) } : {};
}

export interface CardBudget {
  /** The most the message may weigh (default Teams' 28 KB). */
  maxBytes?: number;
  /** What the activity around the card weighs (its text, the attachment's envelope). */
  envelopeBytes?: number;
  /**
   * The view of someone a block's buttons are for (its `audience`: an approval's requester and approvers):
   * those buttons are shown. Default: the view everyone else gets, a note saying who has them.
   */
  personal?: boolean;
  /** The MRIs Teams refreshes the card for (`AudienceView.refreshUserIds`, found by the caller). */
  refreshUserIds?: readonly string[];
}

/**
 * A neutral message as an Adaptive Card 1.5, under Teams' size limit (`fitMessage`: evidence folded,
 * lower-severity findings summarised, a line saying what was left out). Pure: the same message gives the
 * same card. A divider puts a separator line above the element after it. Buttons are Action.Execute
 * (Universal Actions, `card-actions.ts`).
 */
export function adaptiveCard(message: Message, budget: CardBudget = {}): AdaptiveCard {
  const max = (budget.maxBytes ?? TEAMS_MESSAGE_MAX_BYTES) - (budget.envelopeBytes ?? 0);
  const view: AudienceView = { ...budget, personal: budget.personal ?? false };
  return render(
    fitMessage(message, (m) => Buffer.byteLength(JSON.stringify(render(m, view))) <= max),
    view,
  );
}
