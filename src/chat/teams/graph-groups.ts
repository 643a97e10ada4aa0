import { isEntraObjectId } from '../../config/access-ids.js';
import type { Activity } from './activity.js';
import type { GraphCallOptions } from './graph-call.js';
import { checkMemberGroups, GROUPS_PER_CALL } from './graph-check.js';

/** Which of `groupIds` (Entra ID group object ids) the user `objectId` is in; rejects with a GroupLookupError. */
export type EntraMembership = (objectId: string, groupIds: readonly string[]) => Promise<string[]>;

/** The app-only token's scope for a Graph base URL (`https://graph.microsoft.com/.default`). */
export const graphScope = (graphUrl: string): string => `${graphUrl}/.default`;

export interface GraphMembershipOptions extends GraphCallOptions {
  /** How long an answer is kept (default 60 s, as Slack user groups). */
  ttlMs?: number;
}

const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/**
 * Entra ID group membership read with Microsoft Graph: `POST {graphUrl}/v1.0/users/{id}/checkMemberGroups`
 * (transitive, up to 20 groups a call) with an app-only token. Each (user, group) answer is cached for
 * `ttlMs` (default 60 s), like Slack user groups: a burst of clicks costs one call, a removal from a group
 * counts within a minute. A lookup Graph refuses (403 without the permission, 401, 5xx, a 429 again after one
 * retry) or that cannot reach it rejects with a GroupLookupError saying why, and is not cached; the token is
 * never logged.
 */
export function graphGroupMembership(o: GraphMembershipOptions): EntraMembership {
  const now = o.now ?? Date.now;
  const ttlMs = o.ttlMs ?? 60_000;
  const call = { ...o, logger: o.logger.child({ component: 'graph-groups' }) };
  const cache = new Map<string, { member: boolean; until: number }>();
  const keyOf = (user: string, group: string) => `${user} ${group}`;

  /** Drops the expired answers once the cache holds many (people come and go; groups are few). */
  function sweep(t: number): void {
    if (cache.size < 10_000) return;
    for (const [key, entry] of cache) if (entry.until <= t) cache.delete(key);
  }

  return async (objectId, groupIds) => {
    const user = objectId.toLowerCase();
    const wanted = [...new Set(groupIds.map((g) => g.toLowerCase()))];
    const t = now();
    const known = new Map<string, boolean>();
    for (const g of wanted) {
      const hit = cache.get(keyOf(user, g));
      if (hit && hit.until > t) known.set(g, hit.member);
    }
    const asked = wanted.filter((g) => !known.has(g));
    await Promise.all(
      chunks(asked, GROUPS_PER_CALL).map(async (part) => {
        const members = await checkMemberGroups(call, user, part);
        for (const g of part) {
          known.set(g, members.includes(g));
          cache.set(keyOf(user, g), { member: members.includes(g), until: now() + ttlMs });
        }
      }),
    );
    sweep(now());
    return wanted.filter((g) => known.get(g));
  };
}

/** The lookup a Teams actor carries: the sender's groups among `candidates` (what a Teams actor can be in). */
export type TeamsGroups = (from: Activity['from'], candidates: readonly string[]) => Promise<string[]>;

/**
 * Teams answers for Entra ID groups only (a policy's Slack user groups are Slack's), and only for a sender
 * with an AAD object id: anyone else is in no group, without a call.
 */
export function teamsGroups(membership: EntraMembership): TeamsGroups {
  return (from, candidates) => {
    const entra = candidates.filter(isEntraObjectId);
    const objectId = from.aadObjectId;
    return objectId && isEntraObjectId(objectId) && entra.length ? membership(objectId, entra) : Promise.resolve([]);
  };
}
