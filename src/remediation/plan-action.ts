import type { z } from 'zod';
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
  return { ok: true, plan: await action.plan(ctx, parsed.data) };
}
