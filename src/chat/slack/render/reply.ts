import type { Block, Message } from '../../../core/message.js';
import { toBlockKit, type BlockKitOptions, type KnownBlock } from './block-kit.js';
import { toMrkdwn } from './mrkdwn-text.js';

/** A reply to the person (an acknowledgement, a response_url message): mrkdwn text, and blocks when it has any. */
export interface SlackReply {
  text: string;
  blocks?: KnownBlock[];
}

type PlainSection = Extract<Block, { kind: 'section' }> & { id?: undefined };

/** A section with neither an id nor fields: a line of text. */
const isPlainLine = (b: Block): b is PlainSection => b.kind === 'section' && !b.id && !b.fields?.length;

/**
 * A neutral reply as Slack shows it: a message made only of lines (envs, help, notices, errors) is sent as
 * mrkdwn text, one line per section, as the bot has always answered; anything richer (a report, the audit)
 * as Block Kit with its fallback text.
 */
export function toSlackReply(message: Message, opts: BlockKitOptions = {}): SlackReply {
  if (message.blocks.length && message.blocks.every(isPlainLine))
    return { text: message.blocks.map((b) => toMrkdwn(b.text)).join('\n') };
  const { text, blocks } = toBlockKit(message, opts);
  return blocks.length ? { text, blocks } : { text };
}
