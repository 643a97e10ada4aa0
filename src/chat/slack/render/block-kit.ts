import type { types } from '@slack/bolt';
import type { Block, Message } from '../../../core/message.js';
import type { ReportMessageOptions } from '../../../render/report-message.js';
import { escapeMrkdwn, fitMrkdwn, toMrkdwn, truncate } from './mrkdwn-text.js';
import { ICON_CHAR, ICON_EMOJI } from './slack-icons.js';

export type KnownBlock = types.KnownBlock;

/** A message ready for chat.postMessage: Block Kit plus the fallback text (notifications, old clients). */
/** Options of the neutral report (chart, evidence) and of Block Kit (limits). */
export type RenderOptions = ReportMessageOptions & BlockKitOptions;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface BlockKitOptions {
  /** At most Slack's 50 blocks per message. */
  maxBlocks?: number;
  /** At most Slack's 3000 characters per section text. */
  maxSectionChars?: number;
}

/** Slack's limits (https://docs.slack.dev/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
  blockId: 255,
  fields: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  buttons: 25,
  fallbackText: 1000,
} as const;

/** A rendered block and what the budget needs to know about it. */
interface Drawn {
  block: KnownBlock;
  collapse?: { tag?: string };
  counted: boolean;
}

function header(b: Extract<Block, { kind: 'header' }>): KnownBlock {
  const lead = b.lead ? `${ICON_CHAR[b.lead.icon]} ${b.lead.note ? `${b.lead.note} · ` : ''}` : '';
  const status = b.status ? ` ${ICON_EMOJI[b.status.icon]} ${b.status.label}` : '';
  // plain_text: Slack shows it as written (no mentions, no links), so nothing to escape.
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncate(`${lead}${b.text}${status}`, SLACK_LIMITS.headerText), emoji: true },
  };
}

function draw(b: Block, maxSection: number): KnownBlock {
  switch (b.kind) {
    case 'header':
      return header(b);
    case 'section': {
      const text = fitMrkdwn(b.text, maxSection);
      const fields = (b.fields ?? []).slice(0, SLACK_LIMITS.fields).map((f) => ({
        type: 'mrkdwn' as const,
        text: fitMrkdwn([{ text: f.label, bold: true }, { text: '\n' }, ...f.value], SLACK_LIMITS.fieldText),
      }));
      return {
        type: 'section',
        ...(text || !fields.length ? { text: { type: 'mrkdwn', text: text || ' ' } } : {}),
        ...(fields.length ? { fields } : {}),
      };
    }
    case 'preformatted':
      return {
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(`\`\`\`${escapeMrkdwn(b.lines.join('\n'))}\`\`\``, maxSection) },
      };
    case 'context':
      // One element: Slack allows ten, and a long list of checks reads better as one line.
      return {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: truncate(b.items.map(toMrkdwn).join('  ·  ') || ' ', SLACK_LIMITS.contextText) },
        ],
      };
    case 'divider':
      return { type: 'divider' };
    case 'actions':
      return {
        type: 'actions',
        elements: b.actions.slice(0, SLACK_LIMITS.buttons).map((a) => ({
          type: 'button' as const,
          text: { type: 'plain_text' as const, text: truncate(a.label, SLACK_LIMITS.buttonText), emoji: true },
          // The whole click payload we read: the command and its opaque ref. Nothing else is trusted.
          action_id: a.command.slice(0, SLACK_LIMITS.actionId),
          value: a.ref.slice(0, SLACK_LIMITS.buttonValue),
          ...(a.style ? { style: a.style } : {}),
        })),
      };
  }
}

/** Draws blocks; a chart right after a section goes inside it, so it costs no block of the budget. */
function drawAll(blocks: readonly Block[], maxSection: number): Drawn[] {
  const out: Drawn[] = [];
  for (const b of blocks) {
    const prev = out.at(-1);
    const section = prev?.block.type === 'section' ? prev.block : undefined;
    if (b.kind === 'preformatted' && prev && section?.text?.type === 'mrkdwn') {
      const chart = `\`\`\`${escapeMrkdwn(b.lines.join('\n'))}\`\`\``;
      const prevText = section.text.text;
      if (prevText.length + chart.length + 1 <= maxSection) {
        prev.block = { ...section, text: { type: 'mrkdwn', text: `${prevText}\n${chart}` } };
        continue;
      }
    }
    const id = 'id' in b ? b.id : undefined;
    const block = draw(b, maxSection);
    out.push({
      block: id ? { ...block, block_id: id } : block,
      ...(b.kind === 'section' || b.kind === 'preformatted' ? (b.collapse ? { collapse: b.collapse } : {}) : {}),
      counted: b.kind === 'section',
    });
  }
  return out;
}

function moreLine(message: Message, hidden: Drawn[], maxSection: number): Drawn {
  const counted = hidden.filter((d) => d.counted);
  const n = counted.length || hidden.length;
  const noun = counted.length ? (message.overflow?.noun ?? 'block') : 'block';
  const tags = new Map<string, number>();
  for (const d of counted) if (d.collapse?.tag) tags.set(d.collapse.tag, (tags.get(d.collapse.tag) ?? 0) + 1);
  const byTag = tags.size ? ` (${[...tags].map(([tag, c]) => `${c} ${tag}`).join(', ')})` : '';
  const hint = message.overflow?.hint ? ` ${toMrkdwn(message.overflow.hint)}` : '';
  return {
    block: {
      type: 'section',
      block_id: message.overflow?.id ?? 'more',
      text: {
        type: 'mrkdwn',
        text: truncate(`…and ${n} more ${noun}${n === 1 ? '' : 's'}${escapeMrkdwn(byTag)}.${hint}`, maxSection),
      },
    },
    counted: false,
  };
}

/** Keeps at most `max` blocks: collapsible ones give way from the end, then anything but the first. */
function fitBudget(message: Message, drawn: Drawn[], max: number, maxSection: number): Drawn[] {
  if (drawn.length <= max) return drawn;
  const fixed = drawn.filter((d) => !d.collapse).length;
  if (fixed + 1 <= max) {
    let room = max - fixed - 1;
    const kept: Drawn[] = [];
    const hidden: Drawn[] = [];
    let at = -1;
    for (const d of drawn) {
      if (!d.collapse) kept.push(d);
      else if (room > 0) {
        kept.push(d);
        room -= 1;
        at = kept.length;
      } else {
        if (at < 0) at = kept.length;
        hidden.push(d);
      }
    }
    kept.splice(at, 0, moreLine(message, hidden, maxSection));
    return kept;
  }
  const kept = drawn.slice(0, max - 1);
  return [...kept, moreLine({ ...message, overflow: undefined }, drawn.slice(max - 1), maxSection)];
}

/** block_id must be unique within a message and at most 255 characters: a repeat gets `:2`, `:3`. */
function uniqueIds(drawn: Drawn[]): KnownBlock[] {
  const used = new Map<string, number>();
  return drawn.map(({ block }) => {
    if (!block.block_id) return block;
    const base = block.block_id.slice(0, SLACK_LIMITS.blockId - 6);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return { ...block, block_id: n === 1 ? base : `${base}:${n}` };
  });
}

/**
 * Renders a neutral message as Block Kit. Every string from data is escaped (a key named `<!channel>`
 * pings nobody); a user group is mentioned only by a well-formed id; the message stays inside Slack's
 * limits (50 blocks: collapsible sections give way to an "…and N more" line; 3000 characters a section:
 * the longest text is cut first). Buttons carry `action_id` = the command and `value` = the ref.
 * Pure: same message, same Block Kit.
 *
 * @example
 * const { text, blocks } = toBlockKit(reportMessage(report));
 * await client.chat.postMessage({ channel, text, blocks });
 */
export function toBlockKit(message: Message, opts: BlockKitOptions = {}): SlackMessage {
  const max = Math.min(opts.maxBlocks ?? SLACK_LIMITS.blocks, SLACK_LIMITS.blocks);
  const maxSection = Math.min(opts.maxSectionChars ?? SLACK_LIMITS.sectionText, SLACK_LIMITS.sectionText);
  const blocks = uniqueIds(fitBudget(message, drawAll(message.blocks, maxSection), max, maxSection));
  const text = message.summary
    ? fitMrkdwn(message.summary, SLACK_LIMITS.fallbackText)
    : truncate(escapeMrkdwn(message.text), SLACK_LIMITS.fallbackText);
  return { text, blocks };
}
