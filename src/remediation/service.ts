import { parseStored } from '../core/stored-json.js';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { type Config, type EnvironmentConfig, environmentOf } from '../config/config.js';
import type { ActionId } from '../core/action-ids.js';
import { UserError } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import type { Action } from '../core/message.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import { ClusterError } from '../core/ports/cluster.js';
import type { AnyAction } from './actions/index.js';
import type { Audit } from './audit.js';
import type { EnvLocks } from './lock.js';
import { offeredActions, type Offers } from './offers.js';
import type { PendingAction, PendingActions } from './pending.js';
import {
  approvalsRequired,
  decide,
  mayApprove,
  referencedUserGroups,
  type AccessPolicy,
  type Decision,
  type Who,
} from './policy.js';
import type { ActionContext, ApplyOutcome, Change, Plan, RevertRecord } from './types.js';

/** Who acts and where, exactly as the chat platform signed it (never taken from a button's value). */
export interface Actor {
  userId: string;
  teamId: string;
  channelId: string;
}

/** What an action needs for an environment, opened for one use and closed after. */
export interface OpenActionContext {
  ctx: ActionContext;
  close(): Promise<void>;
}

export interface RemediationDeps {
  config: Config;
  policy: AccessPolicy;
  actions: ReadonlyMap<ActionId, AnyAction>;
  openContext(env: EnvironmentConfig): OpenActionContext;
  store: CasStateStore;
  offers: Offers;
  pending: PendingActions;
  locks: EnvLocks;
  audit: Audit;
  /** Which of `groups` the user belongs to (the chat platform's user groups). */
  membership(userId: string, groups: readonly string[]): Promise<string[]>;
  /** The catalogue's actions for a finding id. */
  actionsOf(findingId: string): readonly ActionId[];
  dryRun: boolean;
  now: () => number;
  logger: Logger;
  /** How long the bot remembers a capability answer per environment (default 60 s). */
  capabilityTtlMs?: number;
}

/** A result a person reads: allowed or not, always with words. Denials are results, not exceptions. */
export type Outcome<T> = ({ ok: true } & T) | { ok: false; message: string };

export interface AppliedResult {
  record: PendingAction;
  /** The checks to run again to show whether the finding is gone. */
  recheck: readonly string[];
  outcome?: ApplyOutcome;
  revertId?: string;
  dryRun: boolean;
  message: string;
}

/** A preview ready to show: the plan, kept behind the pending record's id. */
export interface Previewed {
  record: PendingAction;
  plan: Plan;
  title: string;
}

/** A report's fix buttons, and the actions the bot could not perform itself (with why). */
export interface ReportActions {
  buttons: Action[];
  unavailable: { action: ActionId; title: string; why: string }[];
}

const revertSchema = z.object({
  id: z.string(),
  pendingId: z.string(),
  record: z.object({ action: z.string(), env: z.string(), changes: z.array(z.any()) }),
  appliedBy: z.string(),
  at: z.number(),
});
const planSchema = z.object({
  changes: z.array(z.any()),
  summary: z.string(),
  params: z.record(z.string(), z.unknown()),
});

const REVERT_TTL_MS = 7 * 24 * 3600 * 1000;

/** Plans compare equal when they would make the very same changes (values and resourceVersions). */
const sameChanges = (a: readonly Change[], b: readonly Change[]) => JSON.stringify(a) === JSON.stringify(b);

function failureText(err: unknown): string {
  if (err instanceof ClusterError && err.kind === 'conflict') {
    return `${err.message} Nothing was overwritten: open the preview again to review the current state.`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * The remediation flow, platform-neutral: offer -> preview -> request -> approvals -> apply exactly once
 * -> revert. Every decision is made here from what the platform signed (`Actor`) and the policy, at the
 * moment of each click; every step is audited. The chat feature only renders and routes clicks.
 */
export function createRemediation(deps: RemediationDeps) {
  const { audit, pending, policy, now } = deps;
  const groups = referencedUserGroups(policy);
  const capabilities = new Map<
    string,
    { until: number; value: Promise<ReportActions['unavailable'][number] | undefined> }
  >();

  async function who(actor: Actor): Promise<Who> {
    return {
      userId: actor.userId,
      teamId: actor.teamId,
      userGroups: groups.length ? await deps.membership(actor.userId, groups) : [],
    };
  }

  function envOf(name: string): EnvironmentConfig {
    return environmentOf(deps.config, name);
  }

  function actionOf(id: ActionId): AnyAction {
    const a = deps.actions.get(id);
    if (!a) throw new UserError(`Unknown action "${id}".`, 'unknown_action');
    return a;
  }

  async function withContext<T>(env: EnvironmentConfig, fn: (ctx: ActionContext) => Promise<T>): Promise<T> {
    // Opening can throw (an unset admin password env var, a bad kubeconfig): callers turn it into words.
    const open = deps.openContext(env);
    try {
      return await fn(open.ctx);
    } finally {
      await open.close().catch(() => undefined);
    }
  }

  async function denied(
    actor: Actor,
    env: string,
    action: ActionId | undefined,
    d: Extract<Decision, { allowed: false }>,
  ) {
    await audit.record({
      event: 'denial',
      actor: { userId: actor.userId, teamId: actor.teamId },
      channelId: actor.channelId,
      env,
      ...(action ? { action } : {}),
      result: d.why,
      dryRun: deps.dryRun,
    });
    return { ok: false as const, message: d.why };
  }

  const planKey = (id: string) => `remediation:plan:${id}`;
  const revertKey = (id: string) => `remediation:revert:${id}`;

  async function storedPlan(id: string): Promise<z.infer<typeof planSchema> | undefined> {
    return parseStored(planSchema, await deps.store.get(planKey(id)));
  }

  async function capabilityOf(env: EnvironmentConfig, action: AnyAction) {
    const key = `${env.name}\u0000${action.id}`;
    const hit = capabilities.get(key);
    if (hit && hit.until > now()) return hit.value;
    const value = withContext(env, (ctx) => action.capability(ctx))
      .then((c) => (c.able ? undefined : { action: action.id, title: action.title, why: c.why }))
      .catch((err: unknown) => ({ action: action.id, title: action.title, why: failureText(err) }));
    capabilities.set(key, { until: now() + (deps.capabilityTtlMs ?? 60_000), value });
    return value;
  }

  async function previewFor(
    actor: Actor,
    envName: string,
    actionId: ActionId,
    params: Record<string, unknown>,
  ): Promise<Outcome<Previewed>> {
    const env = envOf(envName);
    const action = actionOf(actionId);
    const decision = decide(
      policy,
      await who(actor),
      { channelId: actor.channelId, env: env.name },
      { kind: 'request', action: action.id },
    );
    if (!decision.allowed) return denied(actor, env.name, action.id, decision);
    let plan: Plan;
    try {
      const planned = await withContext(env, async (ctx) => {
        const parsed = action.params.safeParse({ ...(action.suggest ? await action.suggest(ctx) : {}), ...params });
        if (!parsed.success)
          return { invalid: parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ') };
        return { plan: await action.plan(ctx, parsed.data) };
      });
      if ('invalid' in planned) return { ok: false, message: `Invalid parameters: ${planned.invalid}` };
      plan = planned.plan;
    } catch (err) {
      return { ok: false, message: `Could not prepare the preview: ${failureText(err)}` };
    }
    const record = await pending.create({
      plan,
      requester: { userId: actor.userId, teamId: actor.teamId, channelId: actor.channelId },
      approvalsRequired: approvalsRequired(policy, env.name, env.profile),
    });
    await deps.store.set(
      planKey(record.id),
      JSON.stringify({ changes: plan.changes, summary: plan.summary, params: plan.params }),
      record.expiresAt - now() + 3600_000,
    );
    return { ok: true, record, plan, title: action.title };
  }

  /** Applies a consumed (or dry-run) record under the environment's lock; records and audits the outcome. */
  async function applyRecord(actor: Actor, record: PendingAction): Promise<Outcome<AppliedResult>> {
    const consumed = await pending.consume(record.id, { userId: actor.userId });
    if (!consumed.ok) return { ok: false, message: consumed.message };
    const env = envOf(record.env);
    const action = actionOf(record.action);
    const base = {
      actor: { userId: actor.userId, teamId: actor.teamId },
      channelId: actor.channelId,
      env: env.name,
      action: action.id,
      pendingId: record.id,
      params: record.params,
    };
    const previewed = await storedPlan(record.id);
    const locked = await deps.locks.withLock(env.name, `${action.id} by ${actor.userId} (${record.id})`, async () =>
      withContext(env, async (ctx): Promise<{ outcome?: ApplyOutcome; error?: string }> => {
        let fresh: Plan;
        try {
          fresh = await action.plan(ctx, action.params.parse(record.params));
        } catch (err) {
          return { error: failureText(err) };
        }
        if (!previewed || !sameChanges(fresh.changes, previewed.changes)) {
          return {
            error:
              'The environment changed since the preview (values or resourceVersions differ): nothing was applied. Open the preview again to review the current state.',
          };
        }
        if (fresh.noop) return { error: 'Nothing to change any more: the environment already has these values.' };
        if (deps.dryRun) return { outcome: { ok: true, applied: [] } };
        try {
          return { outcome: await action.apply(ctx, fresh) };
        } catch (err) {
          return { error: failureText(err) };
        }
      }).catch((err: unknown): { outcome?: ApplyOutcome; error?: string } => ({ error: failureText(err) })),
    );
    if (!locked.ok) {
      const message = `${env.name} is busy: ${locked.heldBy?.holder ?? 'another action'} is running. Nothing was applied; try again when it is done.`;
      await pending.finish(record.id, { ok: false, detail: message });
      await audit.record({ ...base, event: 'failure', result: message, dryRun: deps.dryRun });
      return { ok: false, message };
    }
    const { outcome, error } = locked.value;
    if (error || !outcome) {
      await pending.finish(record.id, { ok: false, detail: error });
      await audit.record({ ...base, event: 'failure', result: error ?? 'unknown', dryRun: deps.dryRun });
      return { ok: false, message: error ?? 'The action failed.' };
    }
    const finished = await pending.finish(record.id, {
      ok: outcome.ok,
      detail: outcome.summary ?? outcome.failed?.error,
    });
    await audit.record({
      ...base,
      event: outcome.ok ? 'apply' : 'failure',
      changes: deps.dryRun
        ? (previewed?.changes as Change[])
        : [...outcome.applied, ...(outcome.failures ?? (outcome.failed ? [outcome.failed] : [])).map((f) => f.change)],
      result: deps.dryRun
        ? 'dry run: nothing was applied'
        : outcome.ok
          ? `applied ${outcome.applied.length} change(s)${outcome.summary ? ` (${outcome.summary})` : ''}`
          : `failed: ${outcome.summary ?? outcome.failed?.error ?? 'unknown'}`,
      dryRun: deps.dryRun,
    });
    let revertId: string | undefined;
    if (!deps.dryRun && outcome.applied.some((c) => c.kind !== 'rollout-restart')) {
      revertId = randomBytes(16).toString('base64url');
      const rec: RevertRecord = { action: action.id, env: env.name, changes: outcome.applied };
      await deps.store.set(
        revertKey(revertId),
        JSON.stringify({ id: revertId, pendingId: record.id, record: rec, appliedBy: actor.userId, at: now() }),
        REVERT_TTL_MS,
      );
    }
    const summary = deps.dryRun
      ? `Dry run of ${action.id} in ${env.name}: nothing was applied.`
      : outcome.ok
        ? `Applied ${action.id} in ${env.name}${outcome.summary ? `: ${outcome.summary.charAt(0).toLowerCase()}${outcome.summary.slice(1)}` : ''}.`
        : outcome.failures && outcome.summary
          ? `${action.id} in ${env.name} was applied partly: ${outcome.summary.charAt(0).toLowerCase()}${outcome.summary.slice(1)}. Revert restores the ${new Set(outcome.applied.map((c) => (c.kind === 'redis-config' ? c.node : c.kind))).size} node(s) that changed.`
          : `${action.id} in ${env.name} failed: ${outcome.failed?.error ?? ''}`;
    return {
      ok: true,
      record: finished.ok ? finished.record : record,
      recheck: action.recheck,
      outcome,
      ...(revertId ? { revertId } : {}),
      dryRun: deps.dryRun,
      message: summary,
    };
  }

  return {
    /** The fix buttons a report offers (only those the bot could perform), each behind an offer record. */
    async reportActions(envName: string, findings: readonly { id: string }[]): Promise<ReportActions> {
      const env = envOf(envName);
      const offered = offeredActions(findings, (id) => deps.actionsOf(id));
      const out: ReportActions = { buttons: [], unavailable: [] };
      for (const o of offered) {
        const action = deps.actions.get(o.action);
        if (!action) continue;
        const missing = await capabilityOf(env, action);
        if (missing) {
          out.unavailable.push(missing);
          continue;
        }
        const offer = await deps.offers.create({ env: env.name, action: o.action, params: o.params });
        const target = o.action === 'rollout-restart' ? ` (${String(o.params.target)})` : '';
        out.buttons.push({ command: `fix:${o.action}`, label: `${action.title}${target}…`, ref: offer.id });
      }
      return out;
    },

    /** A click on a fix button: authorize, plan (no side effect) and keep the plan behind a pending id. */
    async preview(actor: Actor, offerId: string): Promise<Outcome<Previewed>> {
      const offer = await deps.offers.get(offerId);
      if (!offer)
        return {
          ok: false,
          message:
            'This button has expired (reports keep their buttons for a limited time). Run the diagnosis again for fresh ones.',
        };
      return previewFor(actor, offer.env, offer.action, offer.params);
    },

    /** The person changed a parameter in the preview: a new plan (and pending id) for the new values. */
    async repreview(actor: Actor, pendingId: string, params: Record<string, unknown>): Promise<Outcome<Previewed>> {
      const record = await pending.get(pendingId);
      if (!record || record.requester.userId !== actor.userId)
        return { ok: false, message: 'This preview is unknown or has expired; click the button again.' };
      return previewFor({ ...actor, channelId: record.requester.channelId }, record.env, record.action, {
        ...record.params,
        ...params,
      });
    },

    /** The preview was confirmed: authorize again, audit the request, apply at once when no approval is needed. */
    async request(
      actor: Actor,
      pendingId: string,
    ): Promise<Outcome<{ record: PendingAction; applied?: AppliedResult; awaiting?: number }>> {
      const record = await pending.get(pendingId);
      if (!record) return { ok: false, message: 'This request is unknown or has expired; open the preview again.' };
      if (record.requester.userId !== actor.userId)
        return { ok: false, message: 'Only the person who opened this preview can submit it.' };
      // An expired preview would post an approval request that nobody can approve any more.
      if (now() >= record.expiresAt) {
        return {
          ok: false,
          message: `This preview expired at ${new Date(record.expiresAt).toISOString()}. Click the fix button again to see a fresh preview.`,
        };
      }
      const where = { ...actor, channelId: record.requester.channelId };
      const decision = decide(
        policy,
        await who(where),
        { channelId: where.channelId, env: record.env },
        { kind: 'request', action: record.action },
      );
      if (!decision.allowed) return denied(where, record.env, record.action, decision);
      const previewed = await storedPlan(record.id);
      await audit.record({
        event: 'request',
        actor: { userId: actor.userId, teamId: actor.teamId },
        channelId: where.channelId,
        env: record.env,
        action: record.action,
        pendingId: record.id,
        params: record.params,
        ...(previewed ? { changes: previewed.changes as Change[] } : {}),
        result: `${record.approvalsRequired} approval(s) required`,
        dryRun: deps.dryRun,
      });
      if (record.status !== 'approved')
        return { ok: true, record, awaiting: record.approvalsRequired - record.approvals.length };
      const applied = await applyRecord(where, record);
      return applied.ok ? { ok: true, record: applied.record, applied } : applied;
    },

    /** An approver's click: authorized against the approve policy, never the requester; the last approval applies. */
    async approve(
      actor: Actor,
      pendingId: string,
    ): Promise<Outcome<{ record: PendingAction; applied?: AppliedResult; awaiting?: number }>> {
      const record = await pending.get(pendingId);
      if (!record) return { ok: false, message: 'This request is unknown or has expired.' };
      const decision = mayApprove(policy, await who(actor), actor.channelId, record);
      if (!decision.allowed) return denied(actor, record.env, record.action, decision);
      const approved = await pending.approve(pendingId, { userId: actor.userId });
      if (!approved.ok) return { ok: false, message: approved.message };
      await audit.record({
        event: 'approval',
        actor: { userId: actor.userId, teamId: actor.teamId },
        channelId: actor.channelId,
        env: record.env,
        action: record.action,
        pendingId,
        result: `${approved.record.approvals.length} of ${record.approvalsRequired}`,
        dryRun: deps.dryRun,
      });
      if (!approved.decided)
        return {
          ok: true,
          record: approved.record,
          awaiting: record.approvalsRequired - approved.record.approvals.length,
        };
      const applied = await applyRecord(actor, approved.record);
      return applied.ok ? { ok: true, record: applied.record, applied } : applied;
    },

    /** An approver (or the requester, to withdraw) rejects: nothing is applied. */
    async reject(actor: Actor, pendingId: string): Promise<Outcome<{ record: PendingAction }>> {
      const record = await pending.get(pendingId);
      if (!record) return { ok: false, message: 'This request is unknown or has expired.' };
      if (record.requester.userId !== actor.userId) {
        const decision = mayApprove(policy, await who(actor), actor.channelId, { ...record, approvals: [] });
        if (!decision.allowed) return denied(actor, record.env, record.action, decision);
      }
      const rejected = await pending.reject(pendingId, { userId: actor.userId });
      if (!rejected.ok) return { ok: false, message: rejected.message };
      await audit.record({
        event: 'rejection',
        actor: { userId: actor.userId, teamId: actor.teamId },
        channelId: actor.channelId,
        env: record.env,
        action: record.action,
        pendingId,
        dryRun: deps.dryRun,
      });
      return { ok: true, record: rejected.record };
    },

    /** Undo: restores the recorded previous values, exactly once, under the same policy as the request. */
    async revert(actor: Actor, revertId: string): Promise<Outcome<{ outcome: ApplyOutcome; message: string }>> {
      if (!/^[A-Za-z0-9_-]{22}$/.test(revertId))
        return { ok: false, message: 'This revert is unknown or has expired.' };
      const text = await deps.store.get(revertKey(revertId));
      const stored = parseStored(revertSchema, text);
      if (!stored) return { ok: false, message: 'This revert is unknown, has expired or was already done.' };
      const rec = stored.record as RevertRecord;
      const env = envOf(rec.env);
      const action = actionOf(rec.action);
      const decision = decide(
        policy,
        await who(actor),
        { channelId: actor.channelId, env: env.name },
        { kind: 'request', action: action.id },
      );
      if (!decision.allowed) return denied(actor, env.name, action.id, decision);
      // Exactly once: of two clicks (or replicas), one takes the record.
      if (!(await deps.store.compareAndDelete(revertKey(revertId), text as string)))
        return { ok: false, message: 'This revert was already done.' };
      const base = {
        actor: { userId: actor.userId, teamId: actor.teamId },
        channelId: actor.channelId,
        env: env.name,
        action: action.id,
        pendingId: stored.pendingId,
      };
      const locked = await deps.locks.withLock(env.name, `revert ${action.id} by ${actor.userId}`, () =>
        withContext(env, async (ctx): Promise<{ outcome?: ApplyOutcome; error?: string }> => {
          try {
            return { outcome: deps.dryRun ? { ok: true, applied: [] } : await action.revert(ctx, rec) };
          } catch (err) {
            return { error: failureText(err) };
          }
        }).catch((err: unknown): { outcome?: ApplyOutcome; error?: string } => ({ error: failureText(err) })),
      );
      if (!locked.ok || locked.value.error || !locked.value.outcome) {
        // The record goes back, so a later click can try again.
        await deps.store.set(revertKey(revertId), text as string, REVERT_TTL_MS);
        const message = !locked.ok
          ? `${env.name} is busy: ${locked.heldBy?.holder ?? 'another action'} is running.`
          : (locked.value.error ?? 'The revert failed.');
        await audit.record({ ...base, event: 'failure', result: `revert: ${message}`, dryRun: deps.dryRun });
        return { ok: false, message };
      }
      const outcome = locked.value.outcome;
      await audit.record({
        ...base,
        event: 'revert',
        changes: outcome.applied,
        result: outcome.ok
          ? `restored the previous values${outcome.summary ? ` (${outcome.summary})` : ''}`
          : `partly: ${outcome.summary ?? outcome.failed?.error ?? ''}`,
        dryRun: deps.dryRun,
      });
      return {
        ok: true,
        outcome,
        message: outcome.ok
          ? `Reverted ${action.id} in ${env.name}: the previous values are back${outcome.summary ? ` (${outcome.summary.charAt(0).toLowerCase()}${outcome.summary.slice(1)})` : ''}.`
          : `The revert of ${action.id} in ${env.name} was partial${outcome.summary ? `: ${outcome.summary.charAt(0).toLowerCase()}${outcome.summary.slice(1)}` : ''}.`,
      };
    },

    /** The last audit entries of an environment (`/session-ttl audit <env>`). */
    async recentAudit(envName: string, n = 10) {
      envOf(envName);
      return audit.recent(envName, n);
    },

    /** Whether `actor` may run verify (it writes a canary key) in `env`. */
    async mayVerify(actor: Actor, envName: string): Promise<Decision> {
      return decide(policy, await who(actor), { channelId: actor.channelId, env: envName }, { kind: 'verify' });
    },

    /** The preview again, for a record (a thread post, a modal update). */
    storedPlan,
    deniedVerify: (actor: Actor, env: string, d: Extract<Decision, { allowed: false }>) =>
      denied(actor, env, undefined, d),
  };
}

export type Remediation = ReturnType<typeof createRemediation>;
