import { type EnvironmentConfig, environmentOf } from '../../config/config.js';
import { GroupLookupError, UserError } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import { decide, referencedUserGroups, type Decision, type Who } from '../policy.js';
import type { ActionContext, ActionId, RemediationAction } from '../types.js';
import type { Actor, RemediationDeps, Refusal } from './flow-types.js';
import { createPlanStore, createRevertStore, type PlanStore, type RevertStore } from './stored-records.js';

const REVERT_TTL_MS = 7 * 24 * 3600 * 1000;

/** What every step of the flow shares: the deps, who is asking, lookups, the stored records. */
export interface FlowContext {
  readonly deps: RemediationDeps;
  /** The person as the policy sees them: their user groups looked up only when the policy names groups. */
  who(actor: Actor): Promise<Who>;
  envOf(name: string): EnvironmentConfig;
  /** The registered action, or a UserError naming the unknown id. */
  actionOf(id: ActionId): RemediationAction;
  /** Opens the environment's action context for `fn` and closes it after. */
  withContext<T>(env: EnvironmentConfig, fn: (ctx: ActionContext) => Promise<T>): Promise<T>;
  /** Audits a denial and returns it as a refusal. */
  denied(
    actor: Actor,
    env: string,
    action: ActionId | undefined,
    d: Extract<Decision, { allowed: false }>,
  ): Promise<Refusal>;
  /**
   * Whether the policy lets `actor` request `action` in `env` from the actor's channel: undefined when it
   * does, else the denial, audited.
   */
  refuseRequest(actor: Actor, env: string, action: ActionId): Promise<Refusal | undefined>;
  readonly plans: PlanStore;
  readonly reverts: RevertStore;
}

/**
 * The policy's groups the actor is in, as their platform says. A lookup that fails counts as no group
 * (deny by default), and says why so a denial can tell the person what to fix.
 */
async function groupsOf(
  actor: Actor,
  candidates: readonly string[],
  logger: Logger,
): Promise<Pick<Who, 'userGroups' | 'groupsUnreadable'>> {
  try {
    return { userGroups: await actor.groups(candidates) };
  } catch (err) {
    if (err instanceof GroupLookupError) return { userGroups: [], groupsUnreadable: err.why };
    logger.error({ err, userId: actor.userId }, 'the group lookup failed');
    return { userGroups: [], groupsUnreadable: 'the lookup failed unexpectedly (see the bot logs)' };
  }
}

export function createFlowContext(deps: RemediationDeps): FlowContext {
  const groups = referencedUserGroups(deps.policy);
  return {
    deps,
    async who(actor) {
      const membership = groups.length ? await groupsOf(actor, groups, deps.logger) : { userGroups: [] };
      return {
        userId: actor.userId,
        teamId: actor.teamId,
        ...membership,
        ...(actor.teamIds ? { teamIds: actor.teamIds } : {}),
        ...(actor.enterpriseId ? { enterpriseId: actor.enterpriseId } : {}),
        ...(actor.platform ? { platform: actor.platform } : {}),
      };
    },
    envOf: (name) => environmentOf(deps.config, name),
    actionOf(id) {
      const a = deps.actions.get(id);
      if (!a) throw new UserError(`Unknown action "${id}".`, 'unknown_action');
      return a;
    },
    async withContext(env, fn) {
      // Opening can throw (an unset admin password env var, a bad kubeconfig): callers turn it into words.
      const open = deps.openContext(env);
      try {
        return await fn(open.ctx);
      } finally {
        await open.close().catch(() => undefined);
      }
    },
    async denied(actor, env, action, d) {
      await deps.audit.record({
        event: 'denial',
        actor: { userId: actor.userId, teamId: actor.teamId },
        channelId: actor.channelId,
        env,
        ...(action ? { action } : {}),
        result: d.why,
        dryRun: deps.dryRun,
      });
      return { ok: false, message: d.why };
    },
    async refuseRequest(actor, env, action) {
      const who = await this.who(actor);
      const d = decide(deps.policy, who, { channelId: actor.channelId, env }, { kind: 'request', action });
      return d.allowed ? undefined : this.denied(actor, env, action, d);
    },
    plans: createPlanStore({ store: deps.store, logger: deps.logger }),
    reverts: createRevertStore({ store: deps.store, logger: deps.logger, ttlMs: REVERT_TTL_MS }),
  };
}
