/**
 * What Teams takes of an Adaptive Card, checked on every card the fake Bot Connector receives: schema
 * version 1.5, known element types with valid enum values, actions (Action.Execute: verb, data size), the
 * refresh (at most 60 users), inputs, and the message (activity) under 28 KB.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages (28 KB)
 * https://adaptivecards.io/explorer/ (elements and their properties)
 */
import { actionsViolations, INPUTS, inputViolations, refreshViolations } from './adaptive-card-actions.js';
import { parserViolations } from './adaptive-card-parser.js';

export const TEAMS_MESSAGE_MAX_BYTES = 28 * 1024;

type Json = Record<string, unknown>;

const ELEMENTS = new Set(['TextBlock', 'RichTextBlock', 'FactSet', 'Container', 'ColumnSet', 'ActionSet', 'Image']);
const ENUMS: Record<string, readonly string[]> = {
  size: ['Default', 'Small', 'Medium', 'Large', 'ExtraLarge'],
  weight: ['Default', 'Lighter', 'Bolder'],
  color: ['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention'],
  fontType: ['Default', 'Monospace'],
  spacing: ['None', 'Small', 'Default', 'Medium', 'Large', 'ExtraLarge', 'Padding'],
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function enumViolations(at: string, el: Json): string[] {
  return Object.entries(ENUMS).flatMap(([prop, allowed]) => {
    const value = el[prop];
    if (value === undefined || (typeof value === 'string' && allowed.includes(value))) return [];
    return [`${at}.${prop}: ${JSON.stringify(value).replace(/^"|"$/g, '')} is not one of ${allowed.join('|')}`];
  });
}

function inlineViolations(at: string, run: unknown): string[] {
  if (!isObject(run) || run.type !== 'TextRun') return [`${at}: a RichTextBlock inline must be a TextRun`];
  const problems = enumViolations(at, run);
  if (typeof run.text !== 'string') problems.push(`${at}.text: missing`);
  return problems;
}

function elementViolations(at: string, el: unknown): string[] {
  if (!isObject(el) || typeof el.type !== 'string') return [`${at}: not an element`];
  if (INPUTS.has(el.type)) return inputViolations(at, el);
  if (!ELEMENTS.has(el.type)) return [`${at}: unknown element type ${el.type}`];
  const problems = enumViolations(at, el);
  if (el.type === 'ActionSet') problems.push(...actionsViolations(`${at}.actions`, el.actions));
  if (el.type === 'TextBlock' && typeof el.text !== 'string') problems.push(`${at}.text: missing`);
  if (el.type === 'RichTextBlock') {
    if (!Array.isArray(el.inlines)) problems.push(`${at}.inlines: missing`);
    else el.inlines.forEach((r, i) => problems.push(...inlineViolations(`${at}.inlines[${i}]`, r)));
  }
  if (el.type === 'FactSet') {
    const facts = Array.isArray(el.facts) ? el.facts : [];
    if (!facts.length) problems.push(`${at}.facts: empty`);
    facts.forEach((f, i) => {
      if (!isObject(f) || typeof f.title !== 'string' || typeof f.value !== 'string')
        problems.push(`${at}.facts[${i}]: title and value must be strings`);
    });
  }
  return problems;
}

/** Every problem of one card; empty when Teams would render it. */
export function cardViolations(card: unknown): string[] {
  if (!isObject(card) || card.type !== 'AdaptiveCard') return ['not an AdaptiveCard'];
  const problems: string[] = [];
  if (card.version !== '1.5') problems.push(`version is ${String(card.version)}, expected 1.5`);
  if (!Array.isArray(card.body) || card.body.length === 0) problems.push('body is empty');
  else card.body.forEach((el, i) => problems.push(...elementViolations(`body[${i}]`, el)));
  if (card.actions !== undefined) problems.push(...actionsViolations('actions', card.actions));
  problems.push(...refreshViolations(card.refresh));
  return problems;
}

/** Every problem of a message activity the bot sent: its size, and each card attachment (Teams' limits, and Microsoft's parser). */
export function activityViolations(activity: unknown): string[] {
  const bytes = Buffer.byteLength(JSON.stringify(activity));
  const problems = bytes > TEAMS_MESSAGE_MAX_BYTES ? [`the message is ${bytes} bytes, over 28 KB`] : [];
  const attachments = isObject(activity) && Array.isArray(activity.attachments) ? activity.attachments : [];
  for (const [i, a] of attachments.entries()) {
    if (!isObject(a) || a.contentType !== 'application/vnd.microsoft.card.adaptive') continue;
    const found = [...cardViolations(a.content), ...parserViolations(a.content)];
    problems.push(...found.map((p) => `attachments[${i}]: ${p}`));
  }
  // Teams shows a message's text above its card: with a card, the words belong in the card (and `summary`).
  if (attachments.length && isObject(activity) && typeof activity.text === 'string' && activity.text.trim())
    problems.push('the message has both text and a card: Teams would show the text above the card');
  return problems;
}

/**
 * Every problem of what the bot answered an invoke with (`{ statusCode, type, value }`): a card answer is held
 * to the same checks as a posted card; a message or an error answer carries no card.
 */
export function invokeAnswerViolations(answer: unknown): string[] {
  if (!isObject(answer) || answer.type !== 'application/vnd.microsoft.card.adaptive') return [];
  return [...cardViolations(answer.value), ...parserViolations(answer.value)];
}
