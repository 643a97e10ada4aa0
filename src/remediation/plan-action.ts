import type { z } from 'zod';
import { planPullRequest } from './gitops/pull-request-plan.js';
import type { ActionContext, Plan, RemediationAction } from './types.js';

/** A plan, or why the parameters were refused (`policy: expected one of …`), in words. */
export type Planned = { ok: true; plan: Plan } | { ok: false; invalid: string };

/** `path: message; path: message`, for a person reading why their parameters were refused. */
export function paramIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
}

/**
 * Parses `raw` with the action's own `params` schema and plans it: the one way an action's parameters
 * reach its `plan`, so the parameters are always that action's type. With `suggest`, the action's
 * suggested starting values come first and `raw` overrides them (a preview); without, `raw` is a
 * complete set of parameters (a stored request planned again before it is applied). Only reads.
 */
export async function planAction(
  action: RemediationAction,
  ctx: ActionContext,
  raw: Readonly<Record<string, unknown>>,
  opts: { suggest: boolean } = { suggest: true },
): Promise<Planned> {
  const suggested = opts.suggest && action.suggest ? await action.suggest(ctx) : {};
  const parsed = action.params.safeParse({ ...suggested, ...raw });
  if (!parsed.success) return { ok: false, invalid: paramIssues(parsed.error) };
  return { ok: true, plan: await withPullRequest(ctx, await action.plan(ctx, parsed.data)) };
}

/**
 * A GitOps-managed plan in an environment with `gitops`: the pull request that carries its durable edit,
 * read from Git (no write). A plan whose only change is that pull request is not a no-op: the bot opens it.
 */
async function withPullRequest(ctx: ActionContext, plan: Plan): Promise<Plan> {
  const { plan: pullRequest, note } = await planPullRequest(ctx.env, plan.durable, ctx.git);
  if (!pullRequest && !note) return plan;
  return {
    ...plan,
    ...(pullRequest
      ? { pullRequest, noop: false, summary: `${plan.summary}; then a pull request to ${pullRequest.repo}` }
      : {}),
    warnings: note ? [...plan.warnings, note] : plan.warnings,
  };
}
