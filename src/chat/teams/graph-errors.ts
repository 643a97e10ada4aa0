import { z } from 'zod';

/**
 * The Microsoft Graph application permissions `POST /users/{id}/checkMemberGroups` needs (the least
 * privileged pair Microsoft documents for an app reading another user's groups), with admin consent.
 */
export const GRAPH_GROUP_PERMISSIONS = 'GroupMember.Read.All and User.Read.All';

const graphErrorBody = z.object({ error: z.object({ code: z.string().max(200) }) });

/** The `error.code` of a Graph error body (e.g. `Authorization_RequestDenied`), when it has one. */
export function graphErrorCode(body: unknown): string | undefined {
  const parsed = graphErrorBody.safeParse(body);
  return parsed.success ? parsed.data.error.code : undefined;
}

/**
 * Why Entra ID groups could not be read (a person's, or a group's members), for the person, from Graph's
 * status: what to fix when the bot's setup is at fault (403: the permission; 401: the token; 404: the id
 * asked about, `subject`), when to try again otherwise. https://learn.microsoft.com/graph/errors
 */
export function graphRefusal(status: number, code: string | undefined, subject: 'user' | 'group' = 'user'): string {
  const http = `HTTP ${status}${code ? ` ${code}` : ''}`;
  if (status === 403)
    return (
      `Microsoft Graph refused the bot (${http}): an Entra admin has to grant the bot's app registration ` +
      `the Microsoft Graph application permissions ${GRAPH_GROUP_PERMISSIONS}, with admin consent`
    );
  if (status === 401)
    return `Microsoft Graph refused the bot's token (${http}): check that TEAMS_GRAPH_URL and TEAMS_LOGIN_URL are of the same cloud`;
  if (status === 404) return `Microsoft Graph does not know this ${subject} in the bot's tenant (${http})`;
  if (status === 429) return `Microsoft Graph is throttling the bot (${http}); try again in a minute`;
  if (status >= 500) return `Microsoft Graph is unavailable (${http}); try again later`;
  return `Microsoft Graph answered ${http}`;
}
