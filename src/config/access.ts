import { z } from 'zod';
import type { Profile } from './environments.js';

const ROLE_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const roleName = z.string().regex(ROLE_NAME, 'role names: lowercase letters, digits, - and _ (e.g. sre, oncall)');
// A Teams user is named by Entra ID object id, `aad:<object id>`, as the Teams front end names the actor.
const TEAMS_USER = /^aad:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const userId = z
  .string()
  .refine(
    (id) => /^[UW][A-Z0-9]+$/.test(id) || TEAMS_USER.test(id),
    'expected a Slack user id such as U012AB3CD, or a Teams user as aad:<Entra object id>',
  )
  .transform((id) => (id.startsWith('aad:') ? id.toLowerCase() : id));
const userGroupId = z.string().regex(/^S[A-Z0-9]+$/, 'expected a Slack user group id such as S0123ABCD');
// A Teams channel is named by its conversation id, e.g. 19:abc…@thread.tacv2.
const channelId = z
  .string()
  .regex(
    /^[CG][A-Z0-9]+$|^19:[^\s;]+@thread\.(tacv2|skype)$/,
    'expected a Slack channel id such as C0123ABCD, or a Teams channel id such as 19:…@thread.tacv2',
  );

const roleSchema = z
  .object({
    users: z.array(userId).default([]),
    /** Members are read with `usergroups.users.list` by the caller (cached briefly), not here. */
    userGroups: z.array(userGroupId).default([]),
  })
  .strict();

/**
 * Action id (or `*` for every action) -> roles allowed. An exact action id beats `*`. The ids are the
 * action registry's: the composition root checks them with `unknownActionIssues` (config imports no feature).
 */
const rolesByAction = z.record(z.string(), z.array(roleName));

const environmentAccessSchema = z
  .object({
    /** Roles that may run the verify canary; unset, everyone may (the behaviour before access existed). */
    verify: z.array(roleName).optional(),
    request: rolesByAction.default({}),
    approve: rolesByAction.default({}),
    /** Distinct approvals before an action runs; unset, it follows the profile (see `defaultApprovals`). */
    approvals: z.number().int().min(0).max(5).optional(),
    /**
     * What a Revert needs: `approve` (a request that needs the environment's approvals, like the change
     * it undoes) or `request` (whoever may request the action reverts at once). Unset: `approve` where
     * the environment needs approvals, else `request`.
     */
    revert: z.enum(['approve', 'request']).optional(),
  })
  .strict();

/**
 * The `access` section: who may request, approve and verify remediation, per environment. Absent,
 * every request and approval is refused (deny by default) and verify stays open.
 *
 * @example
 * access:
 *   roles:
 *     sre:    { users: [U012AB3CD], userGroups: [S0SREGRP] }
 *     oncall: { userGroups: [S0ONCALL] }
 *   channels: [C0INCIDENT]            # default: slack.incidentChannels
 *   environments:
 *     prod:
 *       verify:  [sre, oncall]
 *       request: { set-eviction-policy: [oncall, sre], "*": [sre] }
 *       approve: { "*": [sre] }
 *       approvals: 1
 */
export const accessSchema = z
  .object({
    // Role names are checked in validateAccess: zod's record-key error would hide which rule they break.
    roles: z.record(z.string(), roleSchema).default({}),
    /** Channels where buttons and write commands work; unset, `slack.incidentChannels`. */
    channels: z.array(channelId).optional(),
    environments: z.record(z.string(), environmentAccessSchema).default({}),
  })
  .strict();

export type AccessConfig = z.infer<typeof accessSchema>;
export type EnvironmentAccess = z.infer<typeof environmentAccessSchema>;
export type RoleConfig = z.infer<typeof roleSchema>;

// A Record over every profile, so a new profile has to decide its default here.
const APPROVALS_BY_PROFILE: Record<Profile, number> = {
  development: 0,
  staging: 0,
  production: 1,
  'production-api': 1,
};

/** The approvals an environment needs when `approvals` is not set: one for the production profiles. */
export function defaultApprovals(profile: Profile): number {
  return APPROVALS_BY_PROFILE[profile];
}

/** Where an issue goes; the `ctx` of a zod `superRefine`. */
export interface IssueSink {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void;
}

/**
 * Cross-field rules of `access` (run from the config file's superRefine): environments it names are
 * configured and roles it references exist. Action keys are checked against the registry at start-up.
 */
export function validateAccess(
  cfg: { access?: AccessConfig | undefined; environments: Record<string, unknown> },
  ctx: IssueSink,
): void {
  const access = cfg.access;
  if (!access) return;
  const envNames = Object.keys(cfg.environments);
  const roleNames = Object.keys(access.roles);
  for (const name of roleNames) {
    if (!ROLE_NAME.test(name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['access', 'roles', name],
        message: 'role names: lowercase letters, digits, - and _ (e.g. sre, oncall)',
      });
    }
  }
  const checkRoles = (roles: string[], path: PropertyKey[]) => {
    roles.forEach((role, i) => {
      if (!roleNames.includes(role)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, i],
          message: `names role "${role}", which is not defined in access.roles${roleNames.length ? `; expected one of ${roleNames.join(', ')}` : ''}`,
        });
      }
    });
  };
  for (const [env, rules] of Object.entries(access.environments)) {
    const base = ['access', 'environments', env];
    if (!envNames.includes(env)) {
      ctx.addIssue({
        code: 'custom',
        path: base,
        message: `names environment "${env}", which is not defined; expected one of ${envNames.join(', ')}`,
      });
    }
    if (rules.verify) checkRoles(rules.verify, [...base, 'verify']);
    for (const kind of ['request', 'approve'] as const) {
      for (const [action, roles] of Object.entries(rules[kind])) checkRoles(roles, [...base, kind, action]);
    }
  }
}

/**
 * The action keys of `access.environments.<env>.request|approve` that are neither one of `actionIds`
 * (the action registry's) nor `*`, one issue each, worded as the config's other issues.
 *
 * @example
 * unknownActionIssues(config.access, ['set-maxmemory'])
 * // ['access.environments.prod.request.flush-all: "flush-all" is not an action; expected one of set-maxmemory or "*"']
 */
export function unknownActionIssues(access: AccessConfig | undefined, actionIds: readonly string[]): string[] {
  if (!access) return [];
  const issues: string[] = [];
  for (const [env, rules] of Object.entries(access.environments)) {
    for (const kind of ['request', 'approve'] as const) {
      for (const action of Object.keys(rules[kind])) {
        if (action === '*' || actionIds.includes(action)) continue;
        issues.push(
          `access.environments.${env}.${kind}.${action}: "${action}" is not an action; expected one of ${actionIds.join(', ')} or "*"`,
        );
      }
    }
  }
  return issues;
}
