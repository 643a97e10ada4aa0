import type { StoredPlan } from './changes.js';
import type { ApplyOptions } from './flow/apply.js';
import { approve, reject, request } from './flow/approvals.js';
import { createFlowContext } from './flow/flow-context.js';
import type { Actor, RemediationDeps, Refusal } from './flow/flow-types.js';
import { createReportActions } from './flow/offer.js';
import { preview, repreview } from './flow/preview.js';
import { revert } from './flow/revert.js';
import { finishInterrupted } from './flow/finish.js';
import { reconcile } from './flow/reconcile.js';
import { decide, type Decision } from './policy.js';

export type { Finished } from './flow/finish.js';
export type { InterruptedApply } from './flow/reconcile.js';
export type {
  Actor,
  AppliedResult,
  Approvers,
  Decided,
  OpenActionContext,
  Outcome,
  Previewed,
  RemediationDeps,
  ReportActions,
} from './flow/flow-types.js';

/**
 * The remediation flow, platform-neutral: offer -> preview -> request -> approvals -> apply exactly once
 * -> revert. Every decision is made in `flow/` from what the platform signed (`Actor`) and the policy, at
 * the moment of each click; every step is audited. The chat feature only renders and routes clicks.
 *
 * @example
 * const remediation = createRemediation({ config, policy, actions: createActionRegistry(), ... });
 * const previewed = await remediation.preview(actor, offerId); // its `form` is what the platform shows
 */
export function createRemediation(deps: RemediationDeps) {
  const fc = createFlowContext(deps);
  return {
    /** The fix buttons a report offers (only those the bot could perform), each behind an offer record. */
    reportActions: createReportActions(fc),
    /** A click on a fix button: authorize, plan (no side effect) and keep the plan behind a pending id. */
    preview: (actor: Actor, offerId: string) => preview(fc, actor, offerId),
    /** The person changed a parameter in the preview: a new plan (and pending id) for the new values. */
    repreview: (actor: Actor, pendingId: string, params: Readonly<Record<string, unknown>>) =>
      repreview(fc, actor, pendingId, params),
    /** The preview was confirmed: authorize again, audit the request, apply at once when no approval is needed. */
    request: (actor: Actor, pendingId: string, opts?: ApplyOptions) => request(fc, actor, pendingId, opts),
    /** An approver's click: authorized against the approve policy, never the requester; the last approval applies. */
    approve: (actor: Actor, pendingId: string, opts?: ApplyOptions) => approve(fc, actor, pendingId, opts),
    /** An approver (or the requester, to withdraw) rejects: nothing is applied. */
    reject: (actor: Actor, pendingId: string) => reject(fc, actor, pendingId),
    /** Finish of an interrupted apply: authorized like an approval, makes the planned changes still missing. */
    finish: (actor: Actor, pendingId: string, opts?: ApplyOptions) => finishInterrupted(fc, actor, pendingId, opts),
    /** Takes over the applies whose replica died (their lease expired): what each found, to post in its thread. */
    reconcile: () => reconcile(fc),
    /** Undo: restores the recorded previous values, exactly once, under the same policy as the request. */
    revert: (actor: Actor, revertId: string) => revert(fc, actor, revertId),
    /** The last audit entries of an environment (`/session-ttl audit <env>`). */
    async recentAudit(envName: string, n = 10) {
      fc.envOf(envName);
      return deps.audit.recent(envName, n);
    },
    /** Whether `actor` may run verify (it writes a canary key) in `env`. */
    async mayVerify(actor: Actor, envName: string): Promise<Decision> {
      return decide(deps.policy, await fc.who(actor), { channelId: actor.channelId, env: envName }, { kind: 'verify' });
    },
    /** The preview again, for a record (a thread post, a modal update); undefined when absent or invalid. */
    async storedPlan(pendingId: string): Promise<StoredPlan | undefined> {
      const read = await fc.plans.read(pendingId);
      return read.ok ? read.value : undefined;
    },
    deniedVerify: (actor: Actor, env: string, d: Extract<Decision, { allowed: false }>): Promise<Refusal> =>
      fc.denied(actor, env, undefined, d),
  };
}

export type Remediation = ReturnType<typeof createRemediation>;
