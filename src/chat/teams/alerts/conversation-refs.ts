import { z } from 'zod';
import type { StateStore } from '../../../core/ports/state-store.js';
import { parseStored } from '../../../core/stored-json.js';
import { channelOf } from '../activity.js';

/**
 * Where the bot can post in a Teams channel: the Bot Connector's serviceUrl for the channel's team and
 * what a deep link to its messages needs. Learnt from the verified activities Teams sends from there
 * (the app installed in the team, a channel created or renamed, an alert post read in the channel).
 */
const refSchema = z.object({
  serviceUrl: z.string().min(1),
  tenantId: z.string().min(1),
  channelId: z.string().min(1),
  teamId: z.string().optional(),
  /** The team's Microsoft 365 group id (`aadGroupId`): deep links name it. */
  groupId: z.string().optional(),
  teamName: z.string().optional(),
  channelName: z.string().optional(),
});
export type ConversationRef = z.infer<typeof refSchema>;

/** Kept this long after the last activity that named it (an install event, a channel event, an alert post). */
export const REF_TTL_MS = 400 * 24 * 3600_000;

export interface ConversationRefs {
  get(channel: string): Promise<ConversationRef | undefined>;
  /** Keeps (or renews) where to post in `ref.channelId`; what `ref` does not say is kept from before. */
  remember(ref: ConversationRef): Promise<void>;
  /** The app was removed from the channel's team, or the channel was deleted. */
  forget(channel: string): Promise<void>;
  /** Keeps which channels the app was added to with its team, so that removing the app forgets them all. */
  rememberTeam(teamId: string, channels: readonly string[]): Promise<void>;
  /** The channels kept for the team (none when unknown), the record removed. */
  takeTeam(teamId: string): Promise<string[]>;
}

const channelList = z.array(z.string()).max(1000);

/**
 * The conversation references over the state store (`ref:<channel id>` in the Teams key space), shared by
 * the replicas. Written on the activities that name them (installs and channel events, alert posts read in
 * an incident channel: a few an hour at most), each write renewing the reference's expiry.
 */
export function conversationRefs(store: StateStore): ConversationRefs {
  const key = (channel: string) => `ref:${channelOf(channel)}`;
  const get = async (channel: string) => parseStored(refSchema, await store.get(key(channel)));
  return {
    get,
    async remember(ref) {
      // An alert post's activity names less than an install event did (the team's group id, the names).
      const merged = { ...(await get(ref.channelId)), ...ref };
      await store.set(key(ref.channelId), JSON.stringify(merged), REF_TTL_MS);
    },
    forget: (channel) => store.delete(key(channel)),
    rememberTeam: (teamId, channels) => store.set(`team:${teamId}`, JSON.stringify(channels), REF_TTL_MS),
    takeTeam: async (teamId) => parseStored(channelList, await store.take(`team:${teamId}`)) ?? [],
  };
}
