import type { AccessConfig } from '../config/access.js';
import { defaultApprovals } from '../config/access.js';
import type { Profile } from '../config/environments.js';
import type { ActionId } from './types.js';
import { outsideWorkspace, ruleFor, type InstalledWorkspace, type WorkspaceRule } from './workspace-rule.js';

export type { InstalledWorkspace, WorkspaceRule } from './workspace-rule.js';

/**
 * The policy `decide` reads: the `access` section (absent = deny by default) and the channels where
 * buttons and write commands work when `access.channels` is not set.
 */
export interface AccessPolicy {
  access?: AccessConfig | undefined;
  incidentChannels: readonly string[];
  /**
   * The workspaces whose people the policy names (read at each decision); unset, any (the terminal, or a
   * front end that has not learned its workspace).
   */
  readonly workspace?: WorkspaceRule | undefined;
  /** The Teams tenant the bot serves (TEAMS_TENANT_ID): the only one whose people a Teams actor can be. */
  readonly teamsTenantId?: string | undefined;
}

/**
 * Builds the policy from a parsed config; the workspace rule is `slack.workspace`, else the workspace
 * `installed()` names once the front end has learned it (read at each decision), and the Teams tenant.
 */
export function accessPolicy(
  config: {
    access?: AccessConfig | undefined;
    slack: {
      incidentChannels: readonly string[];
      workspace?: { enterpriseId?: string | undefined; teamIds: string[] } | undefined;
    };
  },
  installed?: () => InstalledWorkspace | undefined,
  teamsTenantId?: string,
): AccessPolicy {
  const configured = config.slack.workspace;
  return {
    access: config.access,
    incidentChannels: config.slack.incidentChannels,
    ...(teamsTenantId ? { teamsTenantId } : {}),
    get workspace(): WorkspaceRule | undefined {
      if (configured)
        return {
          teamIds: configured.teamIds,
          ...(configured.enterpriseId ? { enterpriseId: configured.enterpriseId } : {}),
          source: 'slack.workspace',
        };
      const own = installed?.();
      return own
        ? {
            teamIds: [own.teamId],
            ...(own.enterpriseId ? { enterpriseId: own.enterpriseId } : {}),
            source: 'auth.test',
          }
        : undefined;
    },
  };
}

/** The person asking, as the platform signed it; `userGroups` are resolved by the caller. */
export interface Who {
  userId: string;
  teamId: string;
  userGroups: readonly string[];
  /** Why the person's groups could not be read (they then count as in none); a role denial says it. */
  groupsUnreadable?: string;
  /** Every workspace the platform signed for the request (the user's and the one clicked in); default `[teamId]`. */
  teamIds?: readonly string[];
  /** Enterprise Grid: the organization the platform signed. */
  enterpriseId?: string;
  /** The chat platform that signed it; a Teams actor is held to the Teams tenant, not the Slack workspace. */
  platform?: 'slack' | 'teams' | 'terminal';
}

export interface Where {
  channelId: string;
  env: string;
}

export interface What {
  kind: 'request' | 'approve' | 'verify';
  /** Required for request and approve. */
  action?: ActionId;
}

/** A denial is a result: `why` is written for the person, `wouldAllow` names the policy entry that would. */
export type Decision = { allowed: true; roles: string[] } | { allowed: false; why: string; wouldAllow?: string };

function deny(why: string, wouldAllow?: string): Decision {
  return wouldAllow === undefined ? { allowed: false, why } : { allowed: false, why, wouldAllow };
}

/** A denial for want of a role, saying so when the person's groups could not be read. */
function denyRole(who: Who, why: string, wouldAllow: string): Decision {
  const unread = who.groupsUnreadable;
  return deny(
    unread ? `${why} Your group membership could not be read, so no group counted: ${unread}.` : why,
    wouldAllow,
  );
}

/** The groups of a role: Slack user groups and Entra ID groups (ids of different forms, never equal). */
const groupsOfRole = (role: AccessConfig['roles'][string]): string[] => [...role.userGroups, ...role.entraGroups];

/** The roles `who` holds: listed by user id, or through one of their groups. */
export function rolesOf(access: AccessConfig, who: Who): string[] {
  return Object.entries(access.roles)
    .filter(([, role]) => role.users.includes(who.userId) || groupsOfRole(role).some((g) => who.userGroups.includes(g)))
    .map(([name]) => name);
}

/**
 * The groups the roles name (Slack user groups, Entra ID groups): the only groups the actor's platform is
 * asked about to fill `Who.userGroups`.
 */
export function referencedUserGroups(policy: AccessPolicy): string[] {
  return [...new Set(Object.values(policy.access?.roles ?? {}).flatMap(groupsOfRole))].sort();
}

/** Channels where buttons and write commands work. */
export function writeChannels(policy: AccessPolicy): readonly string[] {
  return policy.access?.channels ?? policy.incidentChannels;
}

const verb = { request: 'request', approve: 'approve' } as const;

/** The refusal of a request or approval from a channel where fixes do not work; undefined where they do. */
function channelRefusal(policy: AccessPolicy, access: AccessConfig, channelId: string): Decision | undefined {
  const channels = writeChannels(policy);
  if (channels.includes(channelId)) return undefined;
  const entry = access.channels ? 'access.channels' : 'slack.incidentChannels (or access.channels)';
  const allowedChannels = channels.length
    ? channels.map((c) => `<#${c}>`).join(', ')
    : 'configured incident channels, and none is configured';
  return deny(
    `Remediation buttons and commands work only in ${allowedChannels}: add this channel (${channelId}) to ${entry} to use them here.`,
    access.channels ? 'access.channels' : 'slack.incidentChannels',
  );
}

/**
 * Whether `who` may do `what` in `where`. Pure: every input is given.
 *
 * - No `access` section: request and approve are refused, naming the entry that would allow them.
 * - verify: allowed unless `access.environments.<env>.verify` lists roles; then only those roles.
 * - request/approve: only in `access.channels` (default `slack.incidentChannels`), and only for a role
 *   listed under the exact action id, or under `"*"` when the action has no entry of its own.
 *
 * @example
 * decide(policy, { userId: 'U1', teamId: 'T1', userGroups: [] }, { channelId: 'C1', env: 'prod' },
 *   { kind: 'request', action: 'set-eviction-policy' })
 * // -> { allowed: false, why: '... add your user id (U1) to a role listed in access.environments.prod.request.set-eviction-policy', ... }
 */
export function decide(policy: AccessPolicy, who: Who, where: Where, what: What): Decision {
  const foreign = outsideWorkspace(ruleFor(policy, who), who);
  if (foreign) return deny(foreign, ruleFor(policy, who)?.source);
  const access = policy.access;
  const envRules = access && Object.hasOwn(access.environments, where.env) ? access.environments[where.env] : undefined;

  if (what.kind === 'verify') {
    if (!access || !envRules?.verify) return { allowed: true, roles: access ? rolesOf(access, who) : [] };
    const entry = `access.environments.${where.env}.verify`;
    const mine = rolesOf(access, who).filter((r) => envRules.verify?.includes(r));
    if (mine.length) return { allowed: true, roles: mine };
    return denyRole(
      who,
      `You may not verify ${where.env}: add your user id (${who.userId}) to a role listed in ${entry} (${envRules.verify.join(', ') || 'none'}).`,
      entry,
    );
  }

  const action = what.action;
  if (!action) return deny(`Which action? A ${what.kind} names one.`);
  const exactEntry = `access.environments.${where.env}.${verb[what.kind]}.${action}`;

  if (!access) {
    return deny(
      `Remediation is not enabled: the config has no access section. To ${what.kind} ${action} in ${where.env}, ` +
        `add your user id (${who.userId}) to a role listed in ${exactEntry}.`,
      exactEntry,
    );
  }

  const offChannel = channelRefusal(policy, access, where.channelId);
  if (offChannel) return offChannel;

  const byAction = envRules?.[verb[what.kind]] ?? {};
  const own = Object.hasOwn(byAction, action) ? byAction[action] : undefined;
  const listed = own ?? (Object.hasOwn(byAction, '*') ? byAction['*'] : undefined);
  const entry = own ? exactEntry : byAction['*'] ? `access.environments.${where.env}.${verb[what.kind]}.*` : exactEntry;
  if (!listed) {
    return deny(
      `Nobody may ${what.kind} ${action} in ${where.env}: add a role to ${exactEntry} and your user id (${who.userId}) to that role.`,
      exactEntry,
    );
  }
  const mine = rolesOf(access, who).filter((r) => listed.includes(r));
  if (mine.length) return { allowed: true, roles: mine };
  return denyRole(
    who,
    `You may not ${what.kind} ${action} in ${where.env}: add your user id (${who.userId}) to a role listed in ${entry} (${listed.join(', ') || 'none'}).`,
    entry,
  );
}

/** Approvals an action in `env` needs before it runs: `approvals` when set, else the profile's default. */
export function approvalsRequired(policy: AccessPolicy, env: string, profile: Profile): number {
  const rules =
    policy.access && Object.hasOwn(policy.access.environments, env) ? policy.access.environments[env] : undefined;
  return rules?.approvals ?? defaultApprovals(profile);
}

/**
 * Approvals a Revert in `env` needs: none when `access.environments.<env>.revert` is `request`, else
 * (`approve`, the default) the approvals the environment's changes need.
 */
export function revertApprovals(policy: AccessPolicy, env: string, profile: Profile): number {
  const rules =
    policy.access && Object.hasOwn(policy.access.environments, env) ? policy.access.environments[env] : undefined;
  return rules?.revert === 'request' ? 0 : approvalsRequired(policy, env, profile);
}

/** What `mayApprove` needs of a pending action. */
export interface ApprovalSubject {
  env: string;
  action: ActionId;
  requester: { userId: string };
  approvals: readonly { userId: string }[];
}

/**
 * Whether `who` may approve `pending` from `channelId`: the approve policy of its environment and
 * action, and never their own request nor twice the same request.
 */
export function mayApprove(policy: AccessPolicy, who: Who, channelId: string, pending: ApprovalSubject): Decision {
  const foreign = outsideWorkspace(ruleFor(policy, who), who);
  if (foreign) return deny(foreign, ruleFor(policy, who)?.source);
  if (pending.requester.userId === who.userId) {
    return deny('You requested this action, so you cannot approve it: someone else in an approving role has to.');
  }
  if (pending.approvals.some((a) => a.userId === who.userId)) {
    return deny('You have already approved this action; another approver has to.');
  }
  return decide(policy, who, { channelId, env: pending.env }, { kind: 'approve', action: pending.action });
}

/**
 * Who may approve `action` in `env`: the users and groups (Slack user groups, Entra ID groups) of the roles its approve entry lists (the
 * exact action key, else `"*"`), without `exclude` (the requester). Pure; empty when nobody may.
 */
export function approversOf(
  policy: AccessPolicy,
  env: string,
  action: ActionId,
  exclude?: string,
): { users: string[]; groups: string[] } {
  const access = policy.access;
  const rules = access && Object.hasOwn(access.environments, env) ? access.environments[env] : undefined;
  const byAction = rules?.approve ?? {};
  const listed = (Object.hasOwn(byAction, action) ? byAction[action] : byAction['*']) ?? [];
  const roles = listed.flatMap((name) => (access && Object.hasOwn(access.roles, name) ? [access.roles[name]] : []));
  const users = [...new Set(roles.flatMap((r) => r?.users ?? []))].filter((u) => u !== exclude);
  const groups = [...new Set(roles.flatMap((r) => (r ? groupsOfRole(r) : [])))];
  return { users, groups };
}
