import { z } from 'zod';
import type { Actor } from '../../../../commands/context.js';
import type { GroupMembership } from '../../user-groups.js';

/** Who clicked where, as Slack signed it in an interaction payload. */
export interface SignedClick {
  userId: string;
  teamId: string;
  /** The user's workspace and the one the click happened in, when Slack signed both. */
  teamIds?: string[];
  enterpriseId?: string;
  channelId: string;
  messageTs?: string;
  threadTs?: string;
}

// The fields of an interaction payload that Slack signs and that say who clicked where; the rest is ignored.
const interactionSchema = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullish(),
  enterprise: z.object({ id: z.string() }).nullish(),
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z
    .object({ channel_id: z.string().optional(), message_ts: z.string().optional(), thread_ts: z.string().optional() })
    .optional(),
  message: z.object({ ts: z.string().optional(), thread_ts: z.string().optional() }).optional(),
});

/**
 * Who clicked and in which channel, from the signed payload only (never from a button's value).
 * Undefined when the payload lacks them (a click outside a channel message).
 */
export function actorOf(body: unknown): SignedClick | undefined {
  const parsed = interactionSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const b = parsed.data;
  const channelId = b.channel?.id ?? b.container?.channel_id;
  if (!channelId) return undefined;
  const messageTs = b.container?.message_ts ?? b.message?.ts;
  const threadTs = b.message?.thread_ts ?? b.container?.thread_ts;
  return {
    userId: b.user.id,
    ...signedTeams(b),
    channelId,
    ...(messageTs ? { messageTs } : {}),
    ...(threadTs ? { threadTs } : {}),
  };
}

/**
 * The workspaces and organization a payload signs: the user's team (`user.team_id`), the team it was sent
 * from (`team.id`) and the Enterprise Grid organization (`enterprise.id`).
 */
export function signedTeams(b: {
  user: { team_id?: string | undefined };
  team?: { id: string } | null | undefined;
  enterprise?: { id: string } | null | undefined;
}): { teamId: string; teamIds?: string[]; enterpriseId?: string } {
  const teamIds = [...new Set([b.user.team_id, b.team?.id].filter((t): t is string => !!t))];
  return {
    teamId: b.user.team_id ?? b.team?.id ?? '',
    ...(teamIds.length ? { teamIds } : {}),
    ...(b.enterprise?.id ? { enterpriseId: b.enterprise.id } : {}),
  };
}

/** The neutral actor of a Slack request: user, team, channel (and the clicked message), groups from Slack. */
export function slackActor(
  who: {
    userId: string;
    teamId?: string | undefined;
    teamIds?: string[];
    enterpriseId?: string | undefined;
    channelId: string;
    messageTs?: string;
    threadTs?: string;
  },
  membership: GroupMembership,
): Actor {
  return {
    platform: 'slack',
    teamId: who.teamId ?? '',
    ...(who.teamIds ? { teamIds: who.teamIds } : {}),
    ...(who.enterpriseId ? { enterpriseId: who.enterpriseId } : {}),
    userId: who.userId,
    channelId: who.channelId,
    ...(who.messageTs
      ? { message: { channel: who.channelId, ts: who.messageTs, ...(who.threadTs ? { threadTs: who.threadTs } : {}) } }
      : {}),
    groups: (candidates) => (candidates.length ? membership(who.userId, candidates) : Promise.resolve([])),
  };
}
