import { parseStored } from '../core/stored-json.js';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ACTION_IDS, type ActionId } from '../core/action-ids.js';
import type { StateStore } from '../core/ports/state-store.js';

/** What a report's button stands for: an action for an environment, offered to whoever may request it. */
export const offerSchema = z.object({
  id: z.string(),
  env: z.string(),
  action: z.enum(ACTION_IDS),
  /** Starting parameters of the preview (the person can change them there). */
  params: z.record(z.string(), z.unknown()),
  /** The report's message, so results are posted in its thread. */
  thread: z.object({ channel: z.string(), ts: z.string() }).optional(),
  offeredTo: z.string().optional(),
  createdAt: z.number(),
});
export type Offer = z.infer<typeof offerSchema>;

/** An action a report offers, the parameters its preview starts from, and the findings that call for it. */
export interface OfferedAction {
  action: ActionId;
  params: Record<string, unknown>;
  findings: string[];
}

/** Findings whose restart concerns Redis rather than the app. */
const REDIS_RESTART = /^aof\./;

/**
 * The actions a report offers, from the findings' catalogue entries, each with the parameters its
 * preview starts from. A restart restarts what the finding is about (Redis for AOF, else the app).
 */
export function offeredActions(
  findings: readonly { id: string }[],
  actionsOf: (findingId: string) => readonly ActionId[],
): OfferedAction[] {
  const out = new Map<string, OfferedAction>();
  for (const f of findings) {
    for (const action of actionsOf(f.id)) {
      const params = action === 'rollout-restart' ? { target: REDIS_RESTART.test(f.id) ? 'redis' : 'app' } : {};
      const key = `${action}:${JSON.stringify(params)}`;
      const o: OfferedAction = out.get(key) ?? { action, params, findings: [] };
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
