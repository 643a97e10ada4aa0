import { z } from 'zod';
import { GroupLookupError } from '../../core/errors.js';
import { graphRequest, type GraphCallOptions } from './graph-call.js';

/** Graph's documented maximum of group ids in one `checkMemberGroups`. */
export const GROUPS_PER_CALL = 20;

const checkMemberGroupsReply = z.object({ value: z.array(z.string().max(64)).max(GROUPS_PER_CALL) });

/**
 * One `POST {graphUrl}/v1.0/users/{id}/checkMemberGroups` for at most 20 groups: those the user is in,
 * directly or through nested groups (lower-case ids). Anything but a 200 with the list (after one retry of a
 * 429, `graphRequest`) rejects with a GroupLookupError in words for the person.
 */
export async function checkMemberGroups(
  o: GraphCallOptions,
  objectId: string,
  groupIds: readonly string[],
): Promise<string[]> {
  const url = `${o.graphUrl}/v1.0/users/${encodeURIComponent(objectId)}/checkMemberGroups`;
  const body = await graphRequest(o, { method: 'POST', url, body: { groupIds } });
  const parsed = checkMemberGroupsReply.safeParse(body);
  if (!parsed.success) {
    o.logger.warn({ url }, 'Microsoft Graph answered without a list of group ids');
    throw new GroupLookupError('Microsoft Graph answered without the list of groups; try again later');
  }
  return parsed.data.value.map((g) => g.toLowerCase());
}
