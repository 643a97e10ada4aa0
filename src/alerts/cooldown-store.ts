import { parseStored } from '../core/stored-json.js';
import { z } from 'zod';
import type { StateStore } from '../core/ports/state-store.js';
import { storedMessageSchema } from './stored-message.js';

import type { Message } from '../core/message.js';
import type { MessageRef } from '../core/ports/chat.js';

export type { MessageRef } from '../core/ports/chat.js';

const messageRef = z.object({ channel: z.string(), ts: z.string() });

const cooldownSchema = z.object({
  /** Where the alert was posted: the thread the diagnosis went (or goes) into. */
  thread: messageRef,
  /** When the diagnosis started, ms since the epoch. */
  at: z.number(),
  /** The diagnosis reply, once posted. */
  diagnosis: messageRef.optional(),
  /** The job that claimed it: a run of the same job on another replica (after a crash) carries on with it. */
  owner: z.string().optional(),
});
export type CooldownRecord = z.infer<typeof cooldownSchema>;

/** An alert's open incident: when it fired, its thread, and the latest diagnosis posted in it. */
export interface IncidentRecord {
  /** When the alert first fired (the firing post's time, or the alert's startsAt), ms since the epoch. */
  firedAt: number;
  thread: MessageRef;
  /** The latest diagnosis reply and the message it showed, so its header can be marked resolved. */
  diagnosis?: MessageRef;
  message?: Message;
}

const incidentSchema = z.object({
  firedAt: z.number(),
  thread: messageRef,
  diagnosis: messageRef.optional(),
  message: storedMessageSchema.optional(),
}) satisfies z.ZodType<IncidentRecord>;

/** An alert fires for hours; its incident is kept a week at most. */
export const INCIDENT_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface CooldownStore {
  /**
   * Starts the cooldown of an alert in an environment unless one runs: `{ claimed: true }` for the
   * caller that must diagnose, else the running cooldown's record (undefined if it just expired).
   */
  claim(
    alertname: string,
    env: string,
    record: CooldownRecord,
  ): Promise<{ claimed: true } | { claimed: false; record?: CooldownRecord }>;
  /** Records the posted diagnosis, keeping the cooldown's end. */
  complete(alertname: string, env: string, record: CooldownRecord): Promise<void>;
  /**
   * Ends the cooldown early: the diagnosis failed (the next firing should try again), or the incident
   * resolved (the next firing is a new incident and gets a new diagnosis).
   */
  release(alertname: string, env: string): Promise<void>;
  incident(alertname: string, env: string): Promise<IncidentRecord | undefined>;
  saveIncident(alertname: string, env: string, record: IncidentRecord): Promise<void>;
  /** Removes and returns the open incident; of two replicas only one gets it. */
  closeIncident(alertname: string, env: string): Promise<IncidentRecord | undefined>;
}

const decode = parseStored;

// Alert names and environment names are identifiers; anything else is encoded so a key cannot be forged.
const part = (s: string) => encodeURIComponent(s.toLowerCase());

/**
 * Cooldowns (per alert + environment, `alerts.cooldownMinutes`) and open incidents over the
 * state store. Records are validated when read: an unreadable one counts as absent.
 */
export function createCooldownStore(opts: {
  store: StateStore;
  cooldownMs: number;
  now?: () => number;
}): CooldownStore {
  const { store, cooldownMs } = opts;
  const now = opts.now ?? Date.now;
  const cooldownKey = (a: string, e: string) => `cooldown:${part(a)}:${part(e)}`;
  const incidentKey = (a: string, e: string) => `incident:${part(a)}:${part(e)}`;
  return {
    async claim(alertname, env, record) {
      const key = cooldownKey(alertname, env);
      // Twice: a cooldown that expires between the SET NX and the GET is claimed on the second try.
      for (let attempt = 0; attempt < 2; attempt++) {
        if (await store.claim(key, JSON.stringify(record), cooldownMs)) return { claimed: true };
        const existing = decode(cooldownSchema, await store.get(key));
        if (existing) return { claimed: false, record: existing };
      }
      return { claimed: false };
    },
    async complete(alertname, env, record) {
      const left = record.at + cooldownMs - now();
      if (left > 0) await store.set(cooldownKey(alertname, env), JSON.stringify(record), left);
    },
    release: (alertname, env) => store.delete(cooldownKey(alertname, env)),
    incident: async (alertname, env) => decode(incidentSchema, await store.get(incidentKey(alertname, env))),
    saveIncident: (alertname, env, record) =>
      store.set(incidentKey(alertname, env), JSON.stringify(record), INCIDENT_TTL_MS),
    closeIncident: async (alertname, env) => decode(incidentSchema, await store.take(incidentKey(alertname, env))),
  };
}
