import { z } from 'zod';
import { GroupLookupError } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import { graphErrorCode, graphRefusal } from './graph-errors.js';
import { OutgoingTokenError } from './outgoing-token.js';

/** Graph's documented maximum of group ids in one `checkMemberGroups`. */
export const GROUPS_PER_CALL = 20;

const checkMemberGroupsReply = z.object({ value: z.array(z.string().max(64)).max(GROUPS_PER_CALL) });

/** How one call reaches Graph. */
export interface GraphCallOptions {
  /** TEAMS_GRAPH_URL, without a trailing slash. */
  graphUrl: string;
  /** The bot's app-only token for `graphScope(graphUrl)` (client credentials, `outgoingToken`). */
  token: () => Promise<string>;
  logger: Logger;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The app-only token, or a GroupLookupError naming the settings to check. */
async function graphToken(o: GraphCallOptions): Promise<string> {
  try {
    return await o.token();
  } catch (err) {
    if (!(err instanceof OutgoingTokenError)) throw err;
    o.logger.warn({ error: err.message }, 'no token for Microsoft Graph');
    throw new GroupLookupError(
      'the bot could not get its token for Microsoft Graph from TEAMS_LOGIN_URL (check TEAMS_APP_PASSWORD or TEAMS_APP_CERTIFICATE_FILE, and the tenant)',
      { cause: err },
    );
  }
}

/**
 * One `POST {graphUrl}/v1.0/users/{id}/checkMemberGroups` for at most 20 groups: those the user is in,
 * directly or through nested groups (lower-case ids). Anything but a 200 with the list rejects with a
 * GroupLookupError in words for the person; the log has the status and Graph's code, never the token.
 */
export async function checkMemberGroups(
  o: GraphCallOptions,
  objectId: string,
  groupIds: readonly string[],
): Promise<string[]> {
  const url = `${o.graphUrl}/v1.0/users/${encodeURIComponent(objectId)}/checkMemberGroups`;
  const token = await graphToken(o);
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ groupIds }),
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
  } catch (err) {
    o.logger.warn({ url, error: err instanceof Error ? err.message : String(err) }, 'Microsoft Graph unreachable');
    throw new GroupLookupError('Microsoft Graph (TEAMS_GRAPH_URL) could not be reached; try again later', {
      cause: err,
    });
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const code = graphErrorCode(body);
    o.logger.warn({ url, status: res.status, code }, 'Microsoft Graph refused the group lookup');
    throw new GroupLookupError(graphRefusal(res.status, code));
  }
  const parsed = checkMemberGroupsReply.safeParse(body);
  if (!parsed.success) {
    o.logger.warn({ url, status: res.status }, 'Microsoft Graph answered without a list of group ids');
    throw new GroupLookupError('Microsoft Graph answered without the list of groups; try again later');
  }
  return parsed.data.value.map((g) => g.toLowerCase());
}
