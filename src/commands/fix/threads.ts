import { z } from 'zod';
import type { MessageRef } from '../../core/ports/chat.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { parseStored } from '../../core/stored-json.js';

const threadSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1), report: z.string().optional() });
const THREAD_TTL_MS = 24 * 3600 * 1000;

/**
 * Where the results of a request go: the thread of the report whose fix button opened its preview,
 * remembered by pending id in the state store (a form submission carries only that id).
 */
export interface ThreadMemory {
  remember(pendingId: string, thread: RequestThread): Promise<void>;
  /** The remembered thread; undefined when none was remembered or the stored one fails validation. */
  of(pendingId: string): Promise<RequestThread | undefined>;
}

/** A request's thread (`ts` is its root), and the ts of the report whose button was clicked in it. */
export interface RequestThread extends MessageRef {
  /** The report's own ts: the thread root, or a reply in the thread (an alert post's diagnosis). */
  report?: string;
}

export function threadMemory(store: StateStore): ThreadMemory {
  const key = (id: string) => `remediation:thread:${id}`;
  return {
    async remember(pendingId, thread) {
      const { channel, ts, report } = thread;
      await store.set(key(pendingId), JSON.stringify({ channel, ts, ...(report ? { report } : {}) }), THREAD_TTL_MS);
    },
    async of(pendingId) {
      return parseStored(threadSchema, await store.get(key(pendingId)));
    },
  };
}
