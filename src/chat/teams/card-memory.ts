import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { storedMessageSchema } from '../../alerts/stored-message.js';
import type { Form, Input, Message } from '../../core/message.js';
import type { MessageRef } from '../../core/ports/chat.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { parseStored } from '../../core/stored-json.js';
import { personalBlock } from './render/card-actions.js';

const VIEW_TTL_MS = 24 * 3600 * 1000;
const SLOT_TTL_MS = 30 * 60 * 1000;

const inputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('select'),
    name: z.string(),
    label: z.string(),
    options: z.array(z.string()),
    initial: z.string().optional(),
    hint: z.string().optional(),
  }),
  z.object({
    kind: z.literal('text'),
    name: z.string(),
    label: z.string(),
    initial: z.string().optional(),
    placeholder: z.string().optional(),
    hint: z.string().optional(),
  }),
  z.object({
    kind: z.literal('number'),
    name: z.string(),
    label: z.string(),
    initial: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    hint: z.string().optional(),
  }),
]) satisfies z.ZodType<Input>;

const slotSchema = z.object({
  owner: z.string(),
  form: z.object({
    kind: z.string(),
    ref: z.string(),
    title: z.string(),
    body: storedMessageSchema,
    inputs: z.array(inputSchema),
    submit: z.string().optional(),
  }) satisfies z.ZodType<Form>,
});

/**
 * What the Teams front end keeps between invokes, in the shared state store (any replica may get the next
 * invoke): the messages posted with buttons for some people only (an approval request), by where they
 * are, so a refresh can answer each person's view; and the forms a click kept working on after its
 * invoke was answered (the slow path), so "Show the result" can show them to the clicker.
 */
export interface CardMemory {
  /** Keeps `message` as posted at `ref` when it has buttons for some people only; forgets the one there otherwise. */
  posted(ref: MessageRef, message: Message): Promise<void>;
  /** The message with per-person buttons posted at `ref`, if any. */
  postedAt(ref: MessageRef): Promise<Message | undefined>;
  /** A new slot for a click's form (an unguessable id, the ref of its "Show the result"). */
  newSlot(): string;
  /** Keeps `form` in `slot` for 30 minutes; only `owner` (the clicker's user id) is shown it. */
  keepForm(slot: string, owner: string, form: Form): Promise<void>;
  formOf(slot: string): Promise<{ owner: string; form: Form } | undefined>;
}

export function cardMemory(store: StateStore): CardMemory {
  const viewKey = (ref: MessageRef) => `teams:card-view:${ref.channel}:${ref.ts}`;
  const slotKey = (slot: string) => `teams:form-slot:${slot}`;
  return {
    async posted(ref, message) {
      if (!ref.ts) return;
      if (personalBlock(message.blocks)) await store.set(viewKey(ref), JSON.stringify(message), VIEW_TTL_MS);
      else await store.delete(viewKey(ref));
    },
    async postedAt(ref) {
      return parseStored(storedMessageSchema, await store.get(viewKey(ref)));
    },
    newSlot: () => randomUUID(),
    async keepForm(slot, owner, form) {
      await store.set(slotKey(slot), JSON.stringify({ owner, form }), SLOT_TTL_MS);
    },
    async formOf(slot) {
      return parseStored(slotSchema, await store.get(slotKey(slot)));
    },
  };
}
