import { z } from 'zod';

/** An Entra ID object id (users and groups), as the Entra admin center shows it. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLACK_USER = /^[UW][A-Z0-9]+$/;
const TEAMS_USER = 'aad:';
const EXAMPLE_GUID = '3f2b8c1e-5a4d-4e6f-9b0a-1c2d3e4f5a6b';

/** Why `v` is not a user the policy can name; undefined when it is one. */
function userIdProblem(v: string): string | undefined {
  if (v.toLowerCase().startsWith(TEAMS_USER)) {
    return GUID.test(v.slice(TEAMS_USER.length))
      ? undefined
      : `a Teams user is aad: followed by the person's Entra object id (a GUID), e.g. aad:${EXAMPLE_GUID}`;
  }
  return SLACK_USER.test(v)
    ? undefined
    : `expected a Slack user id such as U012AB3CD, or a Teams user as aad:<Entra object id>, e.g. aad:${EXAMPLE_GUID}`;
}

/**
 * A person a role lists: a Slack user id (`U012AB3CD`), or a Teams user as `aad:<Entra object id>`, kept
 * lower-case because that is how the Teams front end names its actors (`teamsUserId`).
 */
export const userId = z
  .string()
  .superRefine((v, ctx) => {
    const problem = userIdProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((v) => (v.toLowerCase().startsWith(TEAMS_USER) ? v.toLowerCase() : v));

/** A Slack user group id; members are read with `usergroups.users.list` by the Slack front end. */
export const userGroupId = z
  .string()
  .regex(
    /^S[A-Z0-9]+$/,
    'expected a Slack user group id such as S0123ABCD (Entra ID groups go in entraGroups, by object id)',
  );

/** An Entra ID group by object id (lower-case); membership is read with Microsoft Graph by the Teams front end. */
export const entraGroupId = z
  .string()
  .regex(
    GUID,
    `expected an Entra ID group's object id (a GUID such as ${EXAMPLE_GUID}), from Entra admin center > Groups`,
  )
  .transform((v) => v.toLowerCase());

/** A channel the policy names: a Slack channel id, or a Teams channel by its conversation id. */
export const channelId = z
  .string()
  .regex(
    /^[CG][A-Z0-9]+$|^19:[^\s;]+@thread\.(tacv2|skype)$/,
    'expected a Slack channel id such as C0123ABCD, or a Teams channel id such as 19:…@thread.tacv2',
  );

/** Whether `id` is a Slack user group id (the other group ids a policy names are Entra ID groups). */
export const isSlackUserGroupId = (id: string): boolean => /^S[A-Z0-9]+$/.test(id);

/** Whether `id` is an Entra ID object id (a GUID). */
export const isEntraObjectId = (id: string): boolean => GUID.test(id);
