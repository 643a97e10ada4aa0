import { channelOf, threadRootOf } from '../activity.js';

export interface TeamsLinkTarget {
  /** The channel id, or a thread's conversation id (`19:x@thread.tacv2;messageid=<root>`). */
  channel: string;
  /** The message's id. */
  ts: string;
  /** The root of its thread, when it is a reply. */
  threadTs?: string;
  tenantId: string;
  groupId?: string;
  teamName?: string;
  channelName?: string;
}

/**
 * A deep link to a channel message, in the documented format
 * `https://teams.microsoft.com/l/message/<channelId>/<messageId>?tenantId=…&groupId=…&parentMessageId=…&teamName=…&channelName=…&createdTime=…`
 * (https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-teams), at `webUrl`
 * (TEAMS_WEB_URL: the web client of the tenant's cloud, e.g. `https://gov.teams.microsoft.us` in GCC High,
 * whose clients open it in the desktop or web app). The parent is the thread's root (the message itself when
 * it is one); `createdTime` is the message id, which Teams makes from the time it was posted (left out when
 * the id is not that number). Pure.
 */
export function teamsMessageLink(m: TeamsLinkTarget, webUrl: string): string {
  const channelId = channelOf(m.channel);
  const parent = m.threadTs ?? threadRootOf(m.channel) ?? m.ts;
  const params = new URLSearchParams({ tenantId: m.tenantId });
  if (m.groupId) params.set('groupId', m.groupId);
  params.set('parentMessageId', parent);
  if (m.teamName) params.set('teamName', m.teamName);
  if (m.channelName) params.set('channelName', m.channelName);
  if (/^\d{10,16}$/.test(m.ts)) params.set('createdTime', m.ts);
  return `${webUrl}/l/message/${encodeURIComponent(channelId)}/${encodeURIComponent(m.ts)}?${params.toString()}`;
}
