import { z } from 'zod';
import type { MessageRef } from '../../core/ports/chat.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { parseStored } from '../../core/stored-json.js';

const threadSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });
const THREAD_TTL_MS = 24 * 3600 * 1000;

/**
 * Where the results of a request go: the thread of the report whose fix button opened its preview,
 * remembered by pending id in the state store (a form submission carries only that id).
 */
export interface ThreadMemory {
  remember(pendingId: string, thread: MessageRef): Promise<void>;
  /** The remembered thread; undefined when none was remembered or the stored one fails validation. */
  of(pendingId: string): Promise<MessageRef | undefined>;
}

export function threadMemory(store: StateStore): ThreadMemory {
  const key = (id: string) => `remediation:thread:${id}`;
  return {
    async remember(pendingId, thread) {
      await store.set(key(pendingId), JSON.stringify({ channel: thread.channel, ts: thread.ts }), THREAD_TTL_MS);
    },
    async of(pendingId) {
      return parseStored(threadSchema, await store.get(key(pendingId)));
    },
  };
}
