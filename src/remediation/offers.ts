import { parseStored } from '../core/stored-json.js';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { StateStore } from '../core/ports/state-store.js';
import { findingRefSchema } from './finding-ref.js';
import type { ActionId, FormValues, RemediationAction } from './types.js';

/** What a report's button stands for: an action for an environment, offered to whoever may request it. */
export const offerSchema = z.object({
  id: z.string(),
  env: z.string(),
  action: z.string().min(1),
  /** Starting parameters of the preview, as a form gives them (the person can change them there). */
  params: z.record(z.string(), z.string()),
  /** The report's message, so results are posted in its thread. */
  thread: z.object({ channel: z.string(), ts: z.string() }).optional(),
  offeredTo: z.string().optional(),
  /** The finding the button answers (its first, where it answers several): the fix's pull request names it. */
  finding: findingRefSchema.optional(),
  createdAt: z.number(),
});
export type Offer = z.infer<typeof offerSchema>;

/** An action a report offers, the parameters its preview starts from, and the findings that call for it. */
export interface OfferedAction {
  action: ActionId;
  params: FormValues;
  findings: string[];
}

/**
 * The actions a report offers: each action that answers one of the findings (its `findings`), with the
 * parameters its preview starts from for that finding (its `offer`). One offer per action and starting
 * parameters, in the findings' order and, for one finding, in the actions' order.
 */
export function offeredActions(
  findings: readonly { id: string }[],
  actions: Iterable<Pick<RemediationAction, 'id' | 'findings' | 'offer'>>,
): OfferedAction[] {
  const list = [...actions];
  const out = new Map<string, OfferedAction>();
  for (const f of findings) {
    for (const action of list.filter((a) => a.findings.includes(f.id))) {
      const params = action.offer?.(f.id) ?? {};
      const key = `${action.id}:${JSON.stringify(params)}`;
      const o: OfferedAction = out.get(key) ?? { action: action.id, params, findings: [] };
      if (!o.findings.includes(f.id)) o.findings.push(f.id);
      out.set(key, o);
    }
  }
  return [...out.values()];
}

/** Offer records in the state store: the opaque ids behind a report's fix buttons. */
export function createOffers(opts: { store: StateStore; ttlMs: number; now: () => number }) {
  const key = (id: string) => `remediation:offer:${id}`;
  return {
    async create(input: Omit<Offer, 'id' | 'createdAt'>): Promise<Offer> {
      const offer: Offer = { ...input, id: randomBytes(16).toString('base64url'), createdAt: opts.now() };
      await opts.store.set(key(offer.id), JSON.stringify(offer), opts.ttlMs);
      return offer;
    },
    async get(id: string): Promise<Offer | undefined> {
      if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return undefined;
      return parseStored(offerSchema, await opts.store.get(key(id)));
    },
  };
}
export type Offers = ReturnType<typeof createOffers>;
