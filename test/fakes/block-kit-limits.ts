// Slack's documented Block Kit limits, checked on every message and view the fakes receive, so the suite
// fails where the real Slack would answer `invalid_blocks`. Sources: api.slack.com/reference/block-kit/blocks,
// /block-kit/block-elements, /surfaces/modals and /methods/chat.postMessage ("text" beside "blocks").

type Json = Record<string, unknown>;

export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  id: 255,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  placeholder: 150,
} as const;

/** One limit the payload breaks, with where: `blocks[3].text.text: 3120 > 3000 characters`. */
export type Violation = string;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function textObject(out: Violation[], at: string, t: unknown, max: number, required = true): void {
  if (t === undefined) {
    if (required) out.push(`${at}: missing text object`);
    return;
  }
  if (!isObject(t) || (t.type !== 'plain_text' && t.type !== 'mrkdwn')) {
    out.push(`${at}: not a text object`);
    return;
  }
  const text = str(t.text) ?? '';
  if (text.length === 0) out.push(`${at}.text: empty text object`);
  if (text.length > max) out.push(`${at}.text: ${text.length} > ${max} characters`);
  if (t.type === 'mrkdwn') out.push(...emphasisViolations(`${at}.text`, text));
}

/**
 * Bold and italic that Slack would not render: a marker must touch its text (`*Change: *` shows the
 * asterisks, `:ok:* Applied*` too). Code spans and links are left out; they are literal.
 */
export function emphasisViolations(at: string, mrkdwn: string): Violation[] {
  const bare = mrkdwn
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/<[^>\n]*>/g, ' ')
    // An emoji code stands for a picture: `:ok:* Applied*` opens on the space after it.
    .replace(/:[a-z0-9_+-]+:/g, ' ');
  const out: Violation[] = [];
  const opens = /(?:^|[\s([{"'])([*_~])\s/gm;
  const closes = /\s([*_~])(?:$|[\s)\]}.,;:!?"'])/gm;
  for (const m of bare.matchAll(opens))
    out.push(`${at}: "${m[1] ?? ''}" opens on whitespace near "${context(bare, m.index)}"`);
  // Outside code a * is always a marker: an odd one pairs with the next and bolds half a sentence.
  if ((bare.match(/\*/g) ?? []).length % 2) out.push(`${at}: an unpaired "*" (a literal one belongs in code)`);
  for (const m of bare.matchAll(closes))
    out.push(`${at}: "${m[1] ?? ''}" closes on whitespace near "${context(bare, m.index)}"`);
  return out;
}

const context = (text: string, at: number) => text.slice(Math.max(0, at - 20), at + 20).replace(/\n/g, ' ');

function plainText(out: Violation[], at: string, t: unknown, max: number, required = true): void {
  textObject(out, at, t, max, required);
  if (isObject(t) && t.type !== 'plain_text') out.push(`${at}: must be plain_text`);
}

function id(out: Violation[], at: string, value: unknown, seen?: Set<string>): void {
  const v = str(value);
  if (v === undefined) return;
  if (v.length > BLOCK_KIT_LIMITS.id) out.push(`${at}: ${v.length} > ${BLOCK_KIT_LIMITS.id} characters`);
  if (seen) {
    if (seen.has(v)) out.push(`${at}: "${v}" is not unique`);
    seen.add(v);
  }
}

function option(out: Violation[], at: string, o: unknown): void {
  if (!isObject(o)) return void out.push(`${at}: not an option`);
  textObject(out, `${at}.text`, o.text, BLOCK_KIT_LIMITS.optionText);
  const value = str(o.value) ?? '';
  if (value.length > BLOCK_KIT_LIMITS.optionValue)
    out.push(`${at}.value: ${value.length} > ${BLOCK_KIT_LIMITS.optionValue} characters`);
}

function element(out: Violation[], at: string, e: unknown, actionIds: Set<string>): void {
  if (!isObject(e)) return void out.push(`${at}: not an element`);
  id(out, `${at}.action_id`, e.action_id, actionIds);
  if (e.placeholder !== undefined) plainText(out, `${at}.placeholder`, e.placeholder, BLOCK_KIT_LIMITS.placeholder);
  if (e.type === 'button') {
    plainText(out, `${at}.text`, e.text, BLOCK_KIT_LIMITS.buttonText);
    const value = str(e.value);
    if (value !== undefined && value.length > BLOCK_KIT_LIMITS.buttonValue)
      out.push(`${at}.value: ${value.length} > ${BLOCK_KIT_LIMITS.buttonValue} characters`);
    const url = str(e.url);
    if (url !== undefined && url.length > BLOCK_KIT_LIMITS.buttonUrl)
      out.push(`${at}.url: ${url.length} > ${BLOCK_KIT_LIMITS.buttonUrl} characters`);
  }
  if (e.type === 'static_select') {
    const options = arrayOf(e.options);
    if (options.length === 0 || options.length > BLOCK_KIT_LIMITS.selectOptions)
      out.push(`${at}.options: ${options.length} options (1 to ${BLOCK_KIT_LIMITS.selectOptions})`);
    options.forEach((o, i) => option(out, `${at}.options[${i}]`, o));
    if (e.initial_option !== undefined) option(out, `${at}.initial_option`, e.initial_option);
  }
}

function block(out: Violation[], at: string, b: unknown, blockIds: Set<string>, actionIds: Set<string>): void {
  if (!isObject(b)) return void out.push(`${at}: not a block`);
  id(out, `${at}.block_id`, b.block_id, blockIds);
  switch (b.type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) out.push(`${at}: a section needs text or fields`);
      if (b.text !== undefined) textObject(out, `${at}.text`, b.text, BLOCK_KIT_LIMITS.sectionText);
      const fields = arrayOf(b.fields);
      if (fields.length > BLOCK_KIT_LIMITS.sectionFields)
        out.push(`${at}.fields: ${fields.length} > ${BLOCK_KIT_LIMITS.sectionFields}`);
      fields.forEach((f, i) => textObject(out, `${at}.fields[${i}]`, f, BLOCK_KIT_LIMITS.fieldText));
      if (b.accessory !== undefined) element(out, `${at}.accessory`, b.accessory, actionIds);
      return;
    }
    case 'header':
      return plainText(out, `${at}.text`, b.text, BLOCK_KIT_LIMITS.headerText);
    case 'context': {
      const elements = arrayOf(b.elements);
      if (elements.length === 0 || elements.length > BLOCK_KIT_LIMITS.contextElements)
        out.push(`${at}.elements: ${elements.length} elements (1 to ${BLOCK_KIT_LIMITS.contextElements})`);
      elements.forEach((e, i) => {
        if (isObject(e) && e.type !== 'image') textObject(out, `${at}.elements[${i}]`, e, BLOCK_KIT_LIMITS.sectionText);
      });
      return;
    }
    case 'actions': {
      const elements = arrayOf(b.elements);
      if (elements.length === 0 || elements.length > BLOCK_KIT_LIMITS.actionsElements)
        out.push(`${at}.elements: ${elements.length} elements (1 to ${BLOCK_KIT_LIMITS.actionsElements})`);
      elements.forEach((e, i) => element(out, `${at}.elements[${i}]`, e, actionIds));
      return;
    }
    case 'input':
      plainText(out, `${at}.label`, b.label, BLOCK_KIT_LIMITS.inputLabel);
      if (b.hint !== undefined) plainText(out, `${at}.hint`, b.hint, BLOCK_KIT_LIMITS.inputHint);
      return element(out, `${at}.element`, b.element, actionIds);
    case 'divider':
    case 'image':
    case 'rich_text':
      return;
    default:
      out.push(`${at}: unknown block type ${String(b.type)}`);
  }
}

function blocks(out: Violation[], list: unknown, max: number): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) return void out.push('blocks: not an array');
  if (list.length > max) out.push(`blocks: ${list.length} > ${max} blocks`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  list.forEach((b, i) => block(out, `blocks[${i}]`, b, blockIds, actionIds));
}

/** What the real Slack refuses in a message (chat.postMessage, chat.update, chat.postEphemeral, a response_url). */
export function messageViolations(body: Json): Violation[] {
  const out: Violation[] = [];
  blocks(out, body.blocks, BLOCK_KIT_LIMITS.messageBlocks);
  const hasBlocks = Array.isArray(body.blocks) && body.blocks.length > 0;
  // Without `text` the notification and screen readers show nothing (Slack warns; we hold ourselves to it).
  if (hasBlocks && !str(body.text)?.trim()) out.push('text: a top-level text must stand beside blocks');
  return out;
}

/** What the real Slack refuses in a view (views.open, views.update, views.push, a response_action). */
export function viewViolations(view: unknown): Violation[] {
  const out: Violation[] = [];
  if (!isObject(view)) return ['view: not an object'];
  plainText(out, 'view.title', view.title, BLOCK_KIT_LIMITS.viewTitle);
  if (view.submit !== undefined) plainText(out, 'view.submit', view.submit, BLOCK_KIT_LIMITS.viewButton);
  if (view.close !== undefined) plainText(out, 'view.close', view.close, BLOCK_KIT_LIMITS.viewButton);
  const meta = str(view.private_metadata) ?? '';
  if (meta.length > BLOCK_KIT_LIMITS.privateMetadata)
    out.push(`view.private_metadata: ${meta.length} > ${BLOCK_KIT_LIMITS.privateMetadata} characters`);
  id(out, 'view.callback_id', view.callback_id);
  blocks(out, view.blocks, BLOCK_KIT_LIMITS.viewBlocks);
  const hasInputs = arrayOf(view.blocks).some((b) => isObject(b) && b.type === 'input');
  if (hasInputs && view.submit === undefined) out.push('view.submit: a view with inputs needs a submit button');
  return out;
}

/** The violations of a Web API call's body, by method; [] for methods that carry no blocks. */
export function callViolations(method: string, body: Json): Violation[] {
  if (method.startsWith('views.')) return viewViolations(body.view);
  if (['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'chat.scheduleMessage'].includes(method))
    return messageViolations(body);
  return [];
}

/**
 * The violations of what the app answered on Slack's own request (a slash command's ack, a view
 * submission's `response_action`): Slack renders those too.
 */
export function ackViolations(json: unknown): Violation[] {
  if (!isObject(json)) return [];
  if (json.response_action === 'update' || json.response_action === 'push') return viewViolations(json.view);
  if (json.response_action === 'errors') {
    return Object.entries(isObject(json.errors) ? json.errors : {}).flatMap(([k, v]) =>
      (str(v) ?? '').length > 2000 ? [`errors.${k}: over 2000 characters`] : [],
    );
  }
  if (json.blocks !== undefined) return messageViolations(json);
  return [];
}

const recorded: string[] = [];

/** Keeps violations seen by any fake in this worker, for the suite-wide check (test/support/block-kit-setup.ts). */
export function recordViolations(where: string, violations: readonly Violation[]): void {
  for (const v of violations) recorded.push(`${where}: ${v}`);
}

/** The violations recorded since the last call, cleared. */
export function takeRecordedViolations(): string[] {
  return recorded.splice(0, recorded.length);
}
