import { plainText, t, type Icon, type Inline, type Message } from '../core/message.js';
import type { Actor } from './context.js';

/**
 * Text as written for a person (a UserError's message, a usage line) as inline content: the parts in
 * backticks become code spans, so each front end shows them as code and escapes them its own way.
 *
 * @example
 * textWithCode('Run `diagnose dev` again') // [t('Run '), t('diagnose dev', { code: true }), t(' again')]
 */
export function textWithCode(text: string): Inline {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? t(part, { code: true }) : t(part)))
    .filter((s) => 'text' in s && s.text !== '');
}

/** A message of lines, each its own section (front ends may send such a message as plain text). */
export function linesMessage(lines: readonly Inline[], text = lines.map(plainText).join('\n')): Message {
  return { text, blocks: lines.map((line) => ({ kind: 'section', text: line })) };
}

/** A one-line notice with an icon in front, e.g. "⏳ Diagnosing dev …". */
export function notice(icon: Icon, inline: Inline): Message {
  return linesMessage([[{ icon }, t(' '), ...inline]], plainText(inline));
}

/** The platform's name in a sentence ("once Slack takes it"). */
export function platformName(platform: Actor['platform']): string {
  return { slack: 'Slack', teams: 'Teams', terminal: 'the terminal' }[platform];
}
