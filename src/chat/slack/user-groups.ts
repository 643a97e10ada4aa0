import type { webApi } from '@slack/bolt';
import { isSlackUserGroupId } from '../../config/access-ids.js';

/** Which of the given user groups a user belongs to (ids of other platforms' groups are not Slack's to answer). */
export type GroupMembership = (userId: string, groupIds: readonly string[]) => Promise<string[]>;

/**
 * Reads user group members with `usergroups.users.list`, cached for `ttlMs` (default 60 s) so a burst of
 * clicks costs one call per group, and a removal from a group takes effect within a minute. A group
 * that cannot be read counts as one the user is not in (deny by default), and is not cached.
 */
export function slackGroupMembership(
  client: webApi.WebClient,
  opts: { ttlMs?: number; now?: () => number } = {},
): GroupMembership {
  const ttlMs = opts.ttlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { users: Set<string>; until: number }>();
  async function members(groupId: string): Promise<Set<string>> {
    const hit = cache.get(groupId);
    if (hit && hit.until > now()) return hit.users;
    try {
      const res = await client.usergroups.users.list({ usergroup: groupId });
      const users = new Set(res.users ?? []);
      cache.set(groupId, { users, until: now() + ttlMs });
      return users;
    } catch {
      return new Set();
    }
  }
  return async (userId, groupIds) => {
    const slackGroups = groupIds.filter(isSlackUserGroupId);
    const sets = await Promise.all(slackGroups.map(async (g) => [g, await members(g)] as const));
    return sets.filter(([, users]) => users.has(userId)).map(([g]) => g);
  };
}
