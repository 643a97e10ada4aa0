import { z } from 'zod';
import type { Activity } from './activity.js';

const id = z.string().min(1).max(1024);
const withMentions = z.object({
  entities: z.array(z.unknown()).max(100).catch([]).default([]),
  recipient: z.object({ id }),
});
const mentionSchema = z.object({ type: z.literal('mention'), mentioned: z.object({ id: z.string() }) });

/** The message @mentions the bot (a `mention` entity naming the activity's recipient). */
export function mentionsBot(raw: unknown): boolean {
  const m = withMentions.safeParse(raw).data;
  return m?.entities.some((e) => mentionSchema.safeParse(e).data?.mentioned.id === m.recipient.id) ?? false;
}

/**
 * Whether a message is a command to the bot: everything said to it in a one-to-one chat, and in a channel or
 * a group chat only what @mentions it. With the RSC permission to read channel messages, Teams delivers
 * every message of the channel; people talking to each other are not commands.
 */
export function addressedToBot(activity: Activity, raw: unknown): boolean {
  return activity.conversation.conversationType === 'personal' || mentionsBot(raw);
}
