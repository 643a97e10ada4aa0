import { UserError } from '../../core/errors.js';
import { ClusterError } from '../../core/ports/cluster.js';
import type { ActionContext, ApplyOutcome, Change, ClusterWritePort, RevertRecord } from '../types.js';
import { StalePlanError } from './stale-plan-error.js';

export interface RunOptions {
  /** How long a restart's rollout is followed before it is reported `timed_out`. */
  rolloutTimeoutMs: number;
}

type Phase = 'apply' | 'revert';

const since = (phase: Phase) => (phase === 'apply' ? 'since the preview' : 'since the action was applied');
const again = (phase: Phase) =>
  phase === 'apply' ? 'Nothing was changed; review the action again.' : 'The revert changed nothing, so as not to overwrite that change.';

function needCluster(ctx: ActionContext): ClusterWritePort {
  if (!ctx.cluster) throw new UserError(`Environment "${ctx.env.name}" has no live Kubernetes cluster configured; this change needs one.`, 'no_cluster');
  return ctx.cluster;
}

/** A paused Deployment does not roll out: a restart would only look done. */
export function pausedError(name: string, namespace: string): UserError {
  return new UserError(
    `Deployment "${name}" in namespace "${namespace}" is paused (spec.paused: true), so a restart would not roll out. Resume it first (kubectl rollout resume deployment/${name} -n ${namespace}) or leave it alone.`,
    'deployment_paused',
  );
}

/** Reads everything the changes depend on and fails, before any write, when it moved. */
async function checkPreconditions(ctx: ActionContext, changes: Change[], phase: Phase): Promise<void> {
  for (const c of changes) {
    if (c.kind === 'redis-config') {
      const now = await ctx.redis.configGet(c.node, c.parameter);
      if (now !== c.before) {
        throw new StalePlanError(`${c.parameter} on Redis ${c.node} is now "${now}", not "${c.before}" as read ${since(phase)}. ${again(phase)}`);
      }
    } else if (c.kind === 'configmap') {
      const cm = await needCluster(ctx).readConfigMap(c.name);
      if (!cm) throw new ClusterError(`ConfigMap "${c.name}" no longer exists in namespace "${c.namespace}". ${again(phase)}`, 'not_found', 404);
      if (cm.resourceVersion !== c.resourceVersion || (cm.data[c.key] ?? '') !== c.before) {
        throw new ClusterError(`ConfigMap "${c.name}" in namespace "${c.namespace}" changed ${since(phase)} (resourceVersion ${c.resourceVersion} → ${cm.resourceVersion}). ${again(phase)}`, 'conflict', 409);
      }
    } else {
      const d = await needCluster(ctx).readDeployment(c.deployment);
      if (!d) throw new ClusterError(`Deployment "${c.deployment}" no longer exists in namespace "${c.namespace}". ${again(phase)}`, 'not_found', 404);
      if (d.paused) throw pausedError(c.deployment, c.namespace);
      if (d.resourceVersion !== c.resourceVersion) {
        throw new ClusterError(`Deployment "${c.deployment}" in namespace "${c.namespace}" changed ${since(phase)} (resourceVersion ${c.resourceVersion} → ${d.resourceVersion}). ${again(phase)}`, 'conflict', 409);
      }
    }
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Performs `changes` in order after checking that nothing moved since they were read. On a failure the
 * changes already made are put back (last first); when that works the original typed error is thrown
 * and nothing is left changed. When a put-back fails too, the outcome lists what stays changed.
 */
export async function runChanges(ctx: ActionContext, changes: Change[], opts: RunOptions, phase: Phase = 'apply'): Promise<ApplyOutcome> {
  await checkPreconditions(ctx, changes, phase);
  const done: { change: Change; undo?: () => Promise<void> }[] = [];
  const restarted: string[] = [];
  for (const c of changes) {
    try {
      if (c.kind === 'redis-config') {
        await ctx.redis.configSet(c.node, c.parameter, c.after);
        done.push({ change: c, undo: () => ctx.redis.configSet(c.node, c.parameter, c.before) });
      } else if (c.kind === 'configmap') {
        const cluster = needCluster(ctx);
        const { resourceVersion } = await cluster.patchConfigMapKey(c.name, c.key, c.after, c.resourceVersion);
        done.push({ change: c, undo: async () => void (await cluster.patchConfigMapKey(c.name, c.key, c.before, resourceVersion)) });
      } else {
        await needCluster(ctx).restartDeployment(c.deployment, c.resourceVersion, new Date(ctx.now()));
        done.push({ change: c });
        restarted.push(c.deployment);
      }
    } catch (err) {
      const stillApplied: Change[] = [];
      const undoErrors: string[] = [];
      for (const d of [...done].reverse()) {
        if (!d.undo) {
          stillApplied.unshift(d.change);
          continue;
        }
        try {
          await d.undo();
        } catch (undoErr) {
          stillApplied.unshift(d.change);
          undoErrors.push(message(undoErr));
        }
      }
      if (stillApplied.length === 0) throw err;
      return {
        ok: false,
        applied: stillApplied,
        failed: {
          change: c,
          error: `${message(err)} Putting back the changes already made failed too (${undoErrors.join('; ') || 'a restart cannot be undone'}); these stay changed: ${stillApplied.map(label).join(', ')}.`,
        },
      };
    }
  }
  const rollouts: NonNullable<ApplyOutcome['rollouts']> = [];
  for (const deployment of restarted) {
    const r = await needCluster(ctx).waitForRollout(deployment, ctx.now() + opts.rolloutTimeoutMs);
    rollouts.push({ deployment, ...r });
  }
  return {
    ok: rollouts.every((r) => r.status === 'complete'),
    applied: done.map((d) => d.change),
    ...(rollouts.length ? { rollouts } : {}),
  };
}

/** `maxmemory-policy on 127.0.0.1:6379`, `ConfigMap redis-session-config`, `restart of Deployment x`. */
export function label(c: Change): string {
  if (c.kind === 'redis-config') return `${c.parameter} on ${c.node}`;
  if (c.kind === 'configmap') return `ConfigMap ${c.name} key ${c.key}`;
  return `restart of Deployment ${c.deployment}`;
}

const reverseDiff = (diff: string[]) => diff.map((l) => (l.startsWith('-') ? `+${l.slice(1)}` : l.startsWith('+') ? `-${l.slice(1)}` : l));

/**
 * Restores a record's `before` values. A ConfigMap key is patched back only when it still holds the
 * value the action wrote (else ClusterError `conflict`); a live value likewise (else StalePlanError).
 * A restart is repeated when a ConfigMap was restored, so the pods read the old value again; a record
 * of restarts only has nothing to restore.
 */
export async function revertChanges(ctx: ActionContext, record: RevertRecord, opts: RunOptions): Promise<ApplyOutcome> {
  const inverse: Change[] = [];
  const restoresConfigMap = record.changes.some((c) => c.kind === 'configmap');
  for (const c of record.changes) {
    if (c.kind === 'redis-config') inverse.push({ ...c, before: c.after, after: c.before });
    else if (c.kind === 'configmap') {
      const cm = await needCluster(ctx).readConfigMap(c.name);
      if (!cm) throw new ClusterError(`ConfigMap "${c.name}" no longer exists in namespace "${c.namespace}"; nothing was reverted.`, 'not_found', 404);
      if (cm.data[c.key] !== c.after) {
        throw new ClusterError(
          `ConfigMap "${c.name}" key ${c.key} in namespace "${c.namespace}" changed since the action was applied; the revert changed nothing, so as not to overwrite that change. Restore it by hand if needed.`,
          'conflict',
          409,
        );
      }
      inverse.push({ ...c, before: c.after, after: c.before, diff: reverseDiff(c.diff), resourceVersion: cm.resourceVersion });
    } else if (restoresConfigMap) {
      const d = await needCluster(ctx).readDeployment(c.deployment);
      if (!d) throw new ClusterError(`Deployment "${c.deployment}" no longer exists in namespace "${c.namespace}"; nothing was reverted.`, 'not_found', 404);
      inverse.push({ ...c, resourceVersion: d.resourceVersion });
    }
  }
  if (!inverse.length) throw new UserError('Nothing to revert: a restart cannot be undone, and this action changed no value.', 'not_revertible');
  return runChanges(ctx, inverse, opts, 'revert');
}
