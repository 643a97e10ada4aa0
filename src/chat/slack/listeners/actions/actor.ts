import type { Actor } from '../../../../remediation/service.js';

/** The fields of an interaction payload that Slack signs and that say who clicked where. */
interface InteractionBody {
  user?: { id?: string; team_id?: string };
  team?: { id?: string } | null;
  channel?: { id?: string };
  container?: { channel_id?: string; message_ts?: string; thread_ts?: string };
  message?: { ts?: string; thread_ts?: string };
}

/**
 * Who clicked and in which channel, from the signed payload only (never from a button's value).
 * Undefined when the payload lacks them (a click outside a channel message).
 */
export function actorOf(body: unknown): (Actor & { messageTs?: string; threadTs?: string }) | undefined {
  const b = body as InteractionBody;
  const userId = b.user?.id;
  const teamId = b.user?.team_id ?? b.team?.id ?? '';
  const channelId = b.channel?.id ?? b.container?.channel_id;
  if (!userId || !channelId) return undefined;
  const messageTs = b.container?.message_ts ?? b.message?.ts;
  const threadTs = b.message?.thread_ts ?? b.container?.thread_ts;
  return { userId, teamId, channelId, ...(messageTs ? { messageTs } : {}), ...(threadTs ? { threadTs } : {}) };
}
