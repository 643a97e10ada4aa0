import type { StateStore } from '../core/ports/state-store.js';

/** Slack retries a failed delivery after about 0, 1 and 5 minutes; an hour covers them with room. */
export const DEFAULT_DEDUPE_TTL_MS = 60 * 60 * 1000;

/** What identifies one delivery of an alert post. */
export interface Delivery {
  /** `event_id` of the Events API envelope (the same on Slack's retries). */
  eventId?: string;
  channel: string;
  /** The message's `ts` (the same for one message delivered under two event ids). */
  ts: string;
  /** The job answering it: the same job checking again (run after a crash) is not a duplicate. */
  owner?: string;
}

export type DeliveryVerdict = { first: true } | { first: false; duplicateOf: 'event' | 'message' };

export interface DeliveryDedupe {
  /** Records the delivery; `first: false` when its event id or its message was seen before, by any replica. */
  check(delivery: Delivery): Promise<DeliveryVerdict>;
  /** Forgets the delivery (it could not be answered), so that a redelivery of it is answered. */
  release(delivery: Delivery): Promise<void>;
}

/**
 * Remembers alert deliveries by event id AND by channel + message ts, so neither a Slack retry
 * (`x-slack-retry-num`) nor the same message under a new event id, on this or another replica, gets a
 * second reply. Each key is taken with SET NX: of two replicas racing, exactly one wins both.
 */
export function createDeliveryDedupe(opts: { store: StateStore; ttlMs?: number; now?: () => number }): DeliveryDedupe {
  const ttlMs = opts.ttlMs ?? DEFAULT_DEDUPE_TTL_MS;
  const now = opts.now ?? Date.now;
  return {
    async check(d) {
      const stamp = d.owner ?? String(now());
      const take = async (key: string) =>
        (await opts.store.claim(key, stamp, ttlMs)) ||
        (d.owner !== undefined && (await opts.store.get(key)) === d.owner);
      if (d.eventId && !(await take(`dedupe:event:${d.eventId}`))) return { first: false, duplicateOf: 'event' };
      if (!(await take(`dedupe:message:${d.channel}:${d.ts}`))) return { first: false, duplicateOf: 'message' };
      return { first: true };
    },
    async release(d) {
      await Promise.all([
        ...(d.eventId ? [opts.store.delete(`dedupe:event:${d.eventId}`)] : []),
        opts.store.delete(`dedupe:message:${d.channel}:${d.ts}`),
      ]);
    },
  };
}
