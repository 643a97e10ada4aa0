import { z } from 'zod';
import type { AdaptiveCard } from './render/adaptive-card.js';

/** The invoke Teams sends for a click on an Action.Execute (or a card's refresh). */
export const CARD_ACTION_INVOKE = 'adaptiveCard/action';

/** An opaque id as the bot's buttons carry them (offer and pending ids are base64url; environments are names). */
const REF = /^[A-Za-z0-9._:-]{1,200}$/;

/** The most a click's `data` may weigh: an opaque ref and the values of a form's few inputs. */
export const MAX_CLICK_DATA_BYTES = 4096;

// What a click says: the action as the card defined it (verb, data) and the inputs' values Teams added to data.
const cardActionSchema = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().min(1).max(128),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
  trigger: z.enum(['manual', 'automatic']).optional(),
});

/** A click, validated: the command (verb), the opaque ref it carries, and the form values by input name. */
export interface CardClick {
  verb: string;
  ref: string;
  /** `param:<name>` inputs' values by name (a form's submission). */
  values: Record<string, string>;
  trigger: 'manual' | 'automatic';
}

function valuesOf(data: Record<string, unknown>): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!key.startsWith('param:')) continue;
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    values[key.slice('param:'.length)] = String(value);
  }
  return values;
}

/**
 * The click an `adaptiveCard/action` invoke carries, or why it is not one the bot made: the bot's cards
 * carry `{ ref }` only (plus the inputs' values of a form), so anything else is refused unread.
 */
export function parseCardClick(value: unknown): { ok: true; click: CardClick } | { ok: false; why: string } {
  const parsed = cardActionSchema.safeParse(value);
  if (!parsed.success) return { ok: false, why: 'the invoke is not an Action.Execute click' };
  const { action, trigger } = parsed.data;
  const data = action.data ?? {};
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_CLICK_DATA_BYTES)
    return { ok: false, why: `the click's data is over ${MAX_CLICK_DATA_BYTES} bytes` };
  const ref = data.ref;
  if (typeof ref !== 'string' || !REF.test(ref))
    return { ok: false, why: "the click's data has no valid ref (an opaque id of letters, digits, . _ : -)" };
  const values = valuesOf(data);
  if (!values) return { ok: false, why: "the click's form values are not text" };
  return { ok: true, click: { verb: action.verb, ref, values, trigger: trigger ?? 'manual' } };
}

/** The HTTP answer to an invoke: Teams reads `body` (the bot processed it whenever `status` is 200). */
export interface InvokeResponse {
  status: number;
  body?: unknown;
}

/** The clicker's view of the card becomes `card` (the other people keep theirs). */
export const cardResponse = (card: AdaptiveCard): InvokeResponse => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
});

/** Teams shows `text` to the clicker; the card stays as it is. */
export const messageResponse = (text: string): InvokeResponse => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text },
});

/** The click was not one the bot can take (a malformed or unknown action); `message` says why. */
export const badClickResponse = (message: string): InvokeResponse => ({
  status: 200,
  body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } },
});
