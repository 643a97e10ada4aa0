import { z } from 'zod';
import { isEntraObjectId } from '../../config/access-ids.js';
import { GroupLookupError } from '../../core/errors.js';
import { graphRequest, type GraphCallOptions } from './graph-call.js';

/** The Entra object ids (lower-case) of a group's users, members directly or through nested groups. */
export type EntraGroupMembers = (groupId: string) => Promise<string[]>;

/** Graph's largest page of directory objects. */
const PAGE = 999;

const membersPage = z.object({
  value: z.array(z.object({ id: z.string().max(64) })).max(PAGE),
  '@odata.nextLink': z.string().max(4000).optional(),
});

export interface GraphGroupMembersOptions extends GraphCallOptions {
  /** How long a group's list is kept (default 60 s, as the membership checks). */
  ttlMs?: number;
  /** The most members read of one group (default 1000: more than a card's refresh can name). */
  max?: number;
}

/** The next page's URL when it is on TEAMS_GRAPH_URL (the bot's token goes nowhere else); else a GroupLookupError. */
function nextPage(o: GraphCallOptions, next: string | undefined): string | undefined {
  if (next === undefined) return undefined;
  const same = URL.canParse(next) && new URL(next).origin === new URL(o.graphUrl).origin;
  if (same) return next;
  o.logger.warn({ graphUrl: o.graphUrl }, 'Microsoft Graph named a next page elsewhere than TEAMS_GRAPH_URL');
  throw new GroupLookupError('Microsoft Graph answered a next page that is not on TEAMS_GRAPH_URL');
}

/**
 * `GET {graphUrl}/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user?$select=id&$top=999&$count=true`
 * (an OData cast, so with `ConsistencyLevel: eventual`), page after page (`@odata.nextLink`) up to `max` ids.
 */
async function listMembers(o: GraphCallOptions, groupId: string, max: number): Promise<string[]> {
  const ids = new Set<string>();
  const path = `/v1.0/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`;
  let url: string | undefined = `${o.graphUrl}${path}?$select=id&$top=${PAGE}&$count=true`;
  while (url !== undefined && ids.size < max) {
    const body = await graphRequest(o, {
      method: 'GET',
      url,
      headers: { consistencylevel: 'eventual' },
      subject: 'group',
    });
    const page = membersPage.safeParse(body);
    if (!page.success) {
      o.logger.warn({ url }, 'Microsoft Graph answered without a list of members');
      throw new GroupLookupError("Microsoft Graph answered without the group's members; try again later");
    }
    for (const { id } of page.data.value) if (isEntraObjectId(id)) ids.add(id.toLowerCase());
    url = nextPage(o, page.data['@odata.nextLink']);
  }
  return [...ids].slice(0, max);
}

/**
 * The users of an Entra ID group (transitive), read with Microsoft Graph with the bot's app-only token
 * (application permission GroupMember.Read.All): whom an approval card's buttons are for when a role names
 * the group. Each group's list is kept `ttlMs` (default 60 s), and a burst of refreshes shares one read; a
 * read Graph refuses (after one retry of a 429) rejects with a GroupLookupError and is not kept.
 */
export function graphGroupMembers(o: GraphGroupMembersOptions): EntraGroupMembers {
  const now = o.now ?? Date.now;
  const ttlMs = o.ttlMs ?? 60_000;
  const max = o.max ?? 1000;
  const call = { ...o, logger: o.logger.child({ component: 'graph-groups' }) };
  const kept = new Map<string, { ids: Promise<string[]>; until: number }>();

  return (groupId) => {
    const group = groupId.toLowerCase();
    const hit = kept.get(group);
    if (hit && hit.until > now()) return hit.ids;
    const entry = { ids: listMembers(call, group, max), until: Infinity };
    kept.set(group, entry);
    entry.ids.then(
      () => void (entry.until = now() + ttlMs),
      () => void (kept.get(group) === entry && kept.delete(group)),
    );
    return entry.ids;
  };
}
