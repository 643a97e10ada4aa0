import { isEntraObjectId } from '../../config/access-ids.js';
import { GroupLookupError } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { AudienceMember } from '../../core/message.js';
import type { EntraGroupMembers } from './graph-members.js';

/** The Entra ID groups (lower-case object ids) an audience names; its Slack user groups are Slack's. */
export const entraGroupsOf = (audience: readonly AudienceMember[]): string[] =>
  audience.flatMap((m) => (typeof m !== 'string' && isEntraObjectId(m.group) ? [m.group.toLowerCase()] : []));

/**
 * The people an audience names, in its order: the users it lists (the requester, then the approvers named),
 * then the members of its Entra ID groups as `aad:<object id>` (read with Graph), each once. A group Graph
 * cannot list is left out, logged with why (never the token): its members can still refresh by hand.
 */
export async function audiencePeople(
  audience: readonly AudienceMember[],
  groupMembers: EntraGroupMembers | undefined,
  logger: Logger,
): Promise<string[]> {
  const users = audience.filter((m): m is string => typeof m === 'string');
  if (!groupMembers) return [...new Set(users)];
  const listed = await Promise.all(
    entraGroupsOf(audience).map((group) =>
      groupMembers(group).catch((err: unknown) => {
        const why = err instanceof GroupLookupError ? err.why : err instanceof Error ? err.message : String(err);
        logger.warn({ group, why }, "left an Entra ID group's members out of a card's refresh.userIds");
        return [];
      }),
    ),
  );
  return [...new Set([...users, ...listed.flat().map((id) => `aad:${id}`)])];
}
