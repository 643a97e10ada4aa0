import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import { parseStored } from '../core/stored-json.js';
import type { AlertmanagerWebhook } from './alertmanager-webhook.js';
import { DEFAULT_DEDUPE_TTL_MS } from './delivery-dedupe.js';
import { isSameNotification, notificationSummarySchema, summarizeNotification } from './notification-identity.js';

/** The notification last taken for a group: what it said, when, and by which job (the claim). */
const lastSchema = z.object({ summary: notificationSummarySchema, at: z.number(), claim: z.string() });
type LastNotification = z.infer<typeof lastSchema>;

/** `first`: this caller answers it, and releases the claim if it could not; else a copy of one taken before. */
export type NotificationVerdict = { first: true; release(): Promise<void> } | { first: false };

export interface NotificationClaims {
  /**
   * Takes the notification for job `job` unless it is another copy of the one its group last had (on any
   * replica). The copy that job `job` took itself is its own: a replica running the job again after the
   * one that took it died carries on with it.
   */
  claim(webhook: AlertmanagerWebhook, job: string): Promise<NotificationVerdict>;
}

/** Of many replicas racing to change one group's record, each lost race means another won: a few tries end it. */
const MAX_RACES = 8;

/**
 * Decides which replica answers an Alertmanager notification, from what the notification says (see
 * `summarizeNotification`): each group's last taken notification is kept in the shared state store for
 * `windowMs`; a notification that says the same is a duplicate (an HA peer's copy, a retry) and gets
 * nothing; one that says something else (a new or changed alert: a re-fire) replaces it with
 * compare-and-set, so of two replicas racing exactly one takes it. The same notification again after
 * `windowMs` (Alertmanager's `repeat_interval`) is answered again, as before. The claim names the job that
 * took it, so the same job run again (another replica took it over after a crash) is not a duplicate.
 *
 * @example
 * const verdict = await claims.claim(webhook, job.id);
 * if (!verdict.first) return; // another replica answers it
 * if (!(await answer(webhook))) await verdict.release(); // a re-send of it will be answered
 */
export function createNotificationClaims(opts: {
  store: CasStateStore;
  now: () => number;
  windowMs?: number;
}): NotificationClaims {
  const { store, now } = opts;
  const windowMs = opts.windowMs ?? DEFAULT_DEDUPE_TTL_MS;
  return {
    async claim(webhook, job) {
      const key = `amlast:${createHash('sha256').update(webhook.groupKey).digest('hex')}`;
      const summary = summarizeNotification(webhook);
      for (let race = 0; race < MAX_RACES; race++) {
        const raw = await store.get(key);
        const earlier = parseStored(lastSchema, raw);
        if (earlier && isSameNotification(earlier.summary, summary)) {
          if (earlier.claim !== job || raw === undefined) return { first: false };
          return { first: true, release: async () => void (await store.compareAndDelete(key, raw)) };
        }
        const mine = JSON.stringify({ summary, at: now(), claim: job } satisfies LastNotification);
        const taken =
          raw === undefined
            ? await store.claim(key, mine, windowMs)
            : await store.compareAndSet(key, raw, mine, windowMs);
        if (taken) return { first: true, release: () => restore(store, key, mine, earlier, windowMs, now) };
      }
      throw new Error(`the record of alert group ${webhook.groupKey} kept changing under ${MAX_RACES} tries`);
    },
  };
}

/** Puts back what the group had before this claim, unless another claim replaced it since. */
async function restore(
  store: CasStateStore,
  key: string,
  mine: string,
  earlier: LastNotification | undefined,
  windowMs: number,
  now: () => number,
): Promise<void> {
  const left = earlier ? earlier.at + windowMs - now() : 0;
  if (earlier && left > 0) await store.compareAndSet(key, mine, JSON.stringify(earlier), left);
  else await store.compareAndDelete(key, mine);
}
