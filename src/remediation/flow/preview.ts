import type { FindingRef } from '../finding-ref.js';
import { managedFix } from '../managed/managed-fix.js';
import { planAction, type Planned } from '../plan-action.js';
import { planForm } from '../plan-form.js';
import { approvalsRequired } from '../policy.js';
import type { ActionId } from '../types.js';
import { failureText } from './failure-text.js';
import type { FlowContext } from './flow-context.js';
import type { Actor, Outcome, Previewed } from './flow-types.js';

/** Pending plans are kept an hour past their request's expiry, to answer late clicks with words. */
const PLAN_KEEP_MS = 3600_000;

/**
 * Authorizes a request of `actionId` in `envName`, plans it (no side effect) with `params` over the
 * action's suggested values, and keeps the plan behind a new pending record's id.
 */
export async function previewFor(
  fc: FlowContext,
  actor: Actor,
  where: { env: string; action: ActionId; params: Readonly<Record<string, unknown>>; finding?: FindingRef },
): Promise<Outcome<Previewed>> {
  const { deps } = fc;
  const env = fc.envOf(where.env);
  const action = fc.actionOf(where.action);
  const refused = await fc.refuseRequest(actor, env.name, action.id);
  if (refused) return refused;
  // A button from before the environment became a managed service (or an alert's): no CONFIG is sent there.
  const managed = managedFix(env, action, {});
  if (managed)
    return {
      ok: false,
      message:
        `${managed.service} blocks CONFIG (redis.provider: ${managed.steps.provider}): the bot does not apply ` +
        `"${action.title}" there. Run the diagnosis again: its report gives ${managed.service}'s own steps.`,
    };
  let planned: Planned;
  try {
    planned = await fc.withContext(env, (ctx) => planAction(action, ctx, where.params));
  } catch (err) {
    return { ok: false, message: `Could not prepare the preview: ${failureText(err)}` };
  }
  if (!planned.ok) return { ok: false, message: `Invalid parameters: ${planned.invalid}` };
  const { plan } = planned;
  const record = await deps.pending.create({
    plan,
    requester: { userId: actor.userId, teamId: actor.teamId, channelId: actor.channelId },
    approvalsRequired: approvalsRequired(deps.policy, env.name, env.profile),
    ...(where.finding ? { finding: where.finding } : {}),
  });
  await fc.plans.save(record.id, plan, record.expiresAt - deps.now() + PLAN_KEEP_MS);
  const form = planForm(plan, action, {
    pendingId: record.id,
    approvals: record.approvalsRequired,
    dryRun: deps.dryRun,
  });
  return { ok: true, record, plan, title: action.title, form };
}

/** A click on a fix button: authorize, plan (no side effect) and keep the plan behind a pending id. */
export async function preview(fc: FlowContext, actor: Actor, offerId: string): Promise<Outcome<Previewed>> {
  const offer = await fc.deps.offers.get(offerId);
  if (!offer)
    return {
      ok: false,
      message:
        'This button has expired (reports keep their buttons for a limited time). Run the diagnosis again for fresh ones.',
    };
  return previewFor(fc, actor, {
    env: offer.env,
    action: offer.action,
    params: offer.params,
    ...(offer.finding ? { finding: offer.finding } : {}),
  });
}

/** The person changed a parameter in the preview: a new plan (and pending id) for the new values. */
export async function repreview(
  fc: FlowContext,
  actor: Actor,
  pendingId: string,
  params: Readonly<Record<string, unknown>>,
): Promise<Outcome<Previewed>> {
  const record = await fc.deps.pending.get(pendingId);
  if (!record || record.requester.userId !== actor.userId)
    return { ok: false, message: 'This preview is unknown or has expired; click the button again.' };
  return previewFor(
    fc,
    { ...actor, channelId: record.requester.channelId },
    {
      env: record.env,
      action: record.action,
      params: { ...record.params, ...params },
      ...(record.finding ? { finding: record.finding } : {}),
    },
  );
}
