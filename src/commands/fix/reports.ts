import type { Message } from '../../core/message.js';
import type { MessageRef } from '../../core/ports/chat.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { parseStored } from '../../core/stored-json.js';
import { storedMessageSchema } from '../../alerts/stored-message.js';

const REPORT_TTL_MS = 24 * 3600 * 1000;

/**
 * Reports that offered a fix, kept by where they were posted, so that an applied fix can put a line on
 * top of the report ("Fixed: … verified ✓"): a platform replaces a message whole.
 */
export interface ReportMemory {
  remember(ref: MessageRef, report: Message): Promise<void>;
  /** The report as posted; undefined when not kept (expired) or when the stored one fails validation. */
  of(ref: MessageRef): Promise<Message | undefined>;
}

export function reportMemory(store: StateStore): ReportMemory {
  const key = (ref: MessageRef) => `remediation:report:${ref.channel}:${ref.ts}`;
  return {
    async remember(ref, report) {
      await store.set(key(ref), JSON.stringify(report), REPORT_TTL_MS);
    },
    async of(ref) {
      return parseStored(storedMessageSchema, await store.get(key(ref)));
    },
  };
}
