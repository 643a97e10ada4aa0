/**
 * The workspace rule of the access policy: which Slack workspaces (or Enterprise Grid organization) and which
 * Teams tenant the bot serves; a request signed elsewhere is refused before any role is read.
 */

/** The workspaces the bot serves: configured (`slack.workspace`), or the bot token's own (auth.test). */
export interface WorkspaceRule {
  teamIds: readonly string[];
  /** Enterprise Grid: the organization every click must come from. */
  enterpriseId?: string;
  /** Where the rule comes from, named in a refusal: `slack.workspace`, `auth.test` or `TEAMS_TENANT_ID`. */
  source: string;
}

/** The workspace a chat platform says the bot is installed in. */
export interface InstalledWorkspace {
  teamId: string;
  enterpriseId?: string;
}

/** What the rule reads of the person asking: where the platform signed them. */
export interface WorkspaceActor {
  teamId: string;
  teamIds?: readonly string[];
  enterpriseId?: string;
  platform?: 'slack' | 'teams' | 'terminal';
}

/**
 * The workspace rule for `who`'s platform: a Teams actor's tenant is TEAMS_TENANT_ID (the Slack workspace
 * means nothing to it); everyone else the Slack rule.
 */
export function ruleFor(
  policy: { readonly workspace?: WorkspaceRule | undefined; readonly teamsTenantId?: string | undefined },
  who: WorkspaceActor,
): WorkspaceRule | undefined {
  if (who.platform !== 'teams') return policy.workspace;
  // Tenant ids are GUIDs, compared without case (as the token check binds them).
  // No tenant: no rule, as with Slack before its workspace is known (the Teams front end always sets it).
  const tenant = policy.teamsTenantId;
  if (tenant === undefined) return undefined;
  const same = who.teamId.toLowerCase() === tenant.toLowerCase();
  return { teamIds: [same ? who.teamId : tenant], source: 'TEAMS_TENANT_ID' };
}

/** Why `who` is outside the workspaces the policy serves; undefined when inside (or when no rule applies). */
export function outsideWorkspace(rule: WorkspaceRule | undefined, who: WorkspaceActor): string | undefined {
  if (!rule) return undefined;
  if (rule.enterpriseId && who.enterpriseId !== rule.enterpriseId) {
    const from = who.enterpriseId
      ? `Enterprise Grid organization ${who.enterpriseId}`
      : 'outside any Enterprise Grid organization';
    return (
      `This request came from ${from}, but this bot serves organization ${rule.enterpriseId} (${rule.source}): ` +
      'the access policy names people of that organization only. Nothing was done.'
    );
  }
  const foreign = (who.teamIds ?? [who.teamId]).find((t) => !rule.teamIds.includes(t));
  if (foreign === undefined) return undefined;
  return (
    `This request came from workspace ${foreign || '(none)'}, but this bot serves ${rule.teamIds.join(', ')} ` +
    `(${rule.source}): the access policy names people of ${rule.teamIds.length > 1 ? 'those workspaces' : 'that workspace'} only. Nothing was done.`
  );
}
