import { z } from 'zod';

/**
 * The part of a Bot Framework Activity the Teams front end reads (zod strips the rest). Teams sends the
 * tenant in `channelData.tenant.id` and, for most activities, in `conversation.tenantId` too.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object
 */
export const activitySchema = z.object({
  type: z.string().min(1).max(64),
  id: z.string().min(1).max(512).optional(),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(2048),
  channelId: z.string().max(64).optional(),
  text: z.string().max(28_000).optional(),
  /** An invoke's name, e.g. `adaptiveCard/action` (a click on an Action.Execute). */
  name: z.string().max(128).optional(),
  /** An invoke's payload; each invoke parses its own (`parseCardAction`). */
  value: z.unknown().optional(),
  /** The message a click came from (the card whose Action.Execute was clicked). */
  replyToId: z.string().min(1).max(512).optional(),
  from: z.object({ id: z.string().min(1).max(512), aadObjectId: z.string().max(64).optional() }),
  recipient: z.object({ id: z.string().min(1).max(512) }),
  conversation: z.object({
    id: z.string().min(1).max(1024),
    tenantId: z.string().max(64).optional(),
    conversationType: z.string().max(64).optional(),
  }),
  channelData: z
    .object({
      tenant: z.object({ id: z.string().max(64) }).optional(),
      /** The team of a channel's activity (its id is the General channel's conversation id). */
      team: z.object({ id: z.string().min(1).max(1024) }).optional(),
    })
    .optional(),
});

/** `{ teamId }` of a channel's activity that names its team; `{}` in a chat (or when Teams left it out). */
export const teamOf = (a: Activity): { teamId?: string } =>
  a.channelData?.team?.id ? { teamId: a.channelData.team.id } : {};

export type Activity = z.infer<typeof activitySchema>;

/**
 * The tenant the activity says it comes from (checked against the bot's tenant after the token);
 * undefined when it names none, or two that disagree.
 */
export function activityTenant(a: Activity): string | undefined {
  const named = [a.channelData?.tenant?.id, a.conversation.tenantId].filter((t) => t !== undefined);
  return named.every((t) => t.toLowerCase() === named[0]?.toLowerCase()) ? named[0] : undefined;
}

/**
 * The command words of a message: the `<at>…</at>` mentions (the bot's name in a channel) removed, HTML
 * entities Teams adds for spaces undone.
 *
 * @example
 * commandText('<at>session-ttl</at> help') // 'help'
 */
export function commandText(text: string | undefined): string {
  return (text ?? '')
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/&nbsp;/gi, ' ')
    .trim();
}

/**
 * The channel (or chat) of a conversation id: a channel thread's id is the channel's and `;messageid=<root>`.
 *
 * @example
 * channelOf('19:x@thread.tacv2;messageid=17') // '19:x@thread.tacv2'
 */
export function channelOf(conversationId: string): string {
  return conversationId.split(';')[0] ?? conversationId;
}

/**
 * The root message of a channel thread's conversation id; undefined for a channel or a chat.
 *
 * @example
 * threadRootOf('19:x@thread.tacv2;messageid=17') // '17'
 */
export function threadRootOf(conversationId: string): string | undefined {
  return /;messageid=([^;]+)/.exec(conversationId)?.[1];
}

/** The conversation id of the thread of message `root` in a channel: where replies in that thread are posted. */
export const threadOf = (channel: string, root: string) => `${channelOf(channel)};messageid=${root}`;
