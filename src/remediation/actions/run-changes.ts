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
  phase === 'apply'
    ? 'Nothing was changed; review the action again.'
    : 'The revert changed nothing, so as not to overwrite that change.';

function needCluster(ctx: ActionContext): ClusterWritePort {
  if (!ctx.cluster)
    throw new UserError(
      `Environment "${ctx.env.name}" has no live Kubernetes cluster configured; this change needs one.`,
      'no_cluster',
    );
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
        throw new StalePlanError(
          `${c.parameter} on Redis ${c.node} is now "${now}", not "${c.before}" as read ${since(phase)}. ${again(phase)}`,
        );
      }
    } else if (c.kind === 'configmap') {
      const cm = await needCluster(ctx).readConfigMap(c.name);
      if (!cm)
        throw new ClusterError(
          `ConfigMap "${c.name}" no longer exists in namespace "${c.namespace}". ${again(phase)}`,
          'not_found',
          404,
        );
      if (cm.resourceVersion !== c.resourceVersion || (cm.data[c.key] ?? '') !== c.before) {
        throw new ClusterError(
          `ConfigMap "${c.name}" in namespace "${c.namespace}" changed ${since(phase)} (resourceVersion ${c.resourceVersion} → ${cm.resourceVersion}). ${again(phase)}`,
          'conflict',
          409,
        );
      }
    } else {
      const d = await needCluster(ctx).readDeployment(c.deployment);
      if (!d)
        throw new ClusterError(
          `Deployment "${c.deployment}" no longer exists in namespace "${c.namespace}". ${again(phase)}`,
          'not_found',
          404,
        );
      if (d.paused) throw pausedError(c.deployment, c.namespace);
      if (d.resourceVersion !== c.resourceVersion) {
        throw new ClusterError(
          `Deployment "${c.deployment}" in namespace "${c.namespace}" changed ${since(phase)} (resourceVersion ${c.resourceVersion} → ${d.resourceVersion}). ${again(phase)}`,
          'conflict',
          409,
        );
      }
    }
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

type RedisChange = Extract<Change, { kind: 'redis-config' }>;
const isRedis = (c: Change): c is RedisChange => c.kind === 'redis-config';

/** The first sentence of an error, for the one-line summary (the full text is on the node's own line). */
const reasonOf = (text: string) =>
  (text.replace(/^Redis at \S+ /, '').split(/(?<=[.)])\s/)[0] ?? text).replace(/\.$/, '');

/**
 * One node's parameters, in order. When one is refused the node's earlier ones are put back, so a node
 * is either changed or not; a put-back that fails leaves those changes applied (and listed).
 */
async function applyNode(
  ctx: ActionContext,
  list: RedisChange[],
): Promise<{ applied: RedisChange[]; failed?: { change: RedisChange; error: unknown; undoError?: string } }> {
  const applied: RedisChange[] = [];
  for (const c of list) {
    try {
      await ctx.redis.configSet(c.node, c.parameter, c.after);
      applied.push(c);
    } catch (error) {
      const left: RedisChange[] = [];
      const undoErrors: string[] = [];
      for (const d of [...applied].reverse()) {
        try {
          await ctx.redis.configSet(d.node, d.parameter, d.before);
        } catch (undoErr) {
          left.unshift(d);
          undoErrors.push(message(undoErr));
        }
      }
      return {
        applied: left,
        failed: { change: c, error, ...(undoErrors.length ? { undoError: undoErrors.join('; ') } : {}) },
      };
    }
  }
  return { applied };
}

/**
 * Performs `changes` after checking that nothing moved since they were read.
 *
 * The live values first, node by node: every node is tried even when another refuses (a Redis Cluster's
 * nodes are independent; a partial change is reported as such, and the record of what changed is what
 * Revert restores). With several nodes and some refusing, the Kubernetes objects are not touched and the
 * outcome says which nodes changed and which did not. When no node changed, the (first) typed error is
 * thrown: nothing is left changed.
 *
 * Then the Kubernetes objects, all or nothing with the live values: on a failure the changes already made
 * are put back (last first) and the original typed error is thrown; when a put-back fails too, the
 * outcome lists what stays changed.
 */
export async function runChanges(
  ctx: ActionContext,
  changes: Change[],
  opts: RunOptions,
  phase: Phase = 'apply',
): Promise<ApplyOutcome> {
  await checkPreconditions(ctx, changes, phase);
  const byNode = new Map<string, RedisChange[]>();
  for (const c of changes.filter(isRedis)) byNode.set(c.node, [...(byNode.get(c.node) ?? []), c]);
  const changedLive: RedisChange[] = [];
  const failures: { change: Change; error: string }[] = [];
  let firstError: unknown;
  for (const list of byNode.values()) {
    const r = await applyNode(ctx, list);
    changedLive.push(...r.applied);
    if (r.failed) {
      firstError ??= r.failed.error;
      failures.push({
        change: r.failed.change,
        error: `${message(r.failed.error)}${r.failed.undoError ? ` Putting back this node's earlier changes failed too (${r.failed.undoError}).` : ''}`,
      });
    }
  }
  const multiNode = byNode.size > 1;
  const nodesChanged = new Set(changedLive.map((c) => c.node)).size;
  const nodesText = `${nodesChanged} of ${byNode.size} node${byNode.size === 1 ? '' : 's'}`;
  if (failures.length) {
    const rest = changes.filter((c) => !isRedis(c));
    if (!changedLive.length) {
      if (failures.length === 1) throw firstError;
      throw new UserError(
        `Nothing was changed: every node refused or could not be reached (${failures.map((f) => `${(f.change as RedisChange).node}: ${reasonOf(f.error)}`).join('; ')}).`,
        'redis_refused',
      );
    }
    const failedNodes = [...new Set(failures.map((f) => (f.change as RedisChange).node))];
    return {
      ok: false,
      applied: changedLive,
      failed: failures[0] as { change: Change; error: string },
      failures,
      ...(rest.length
        ? {
            notAttempted: rest.map((change) => ({
              change,
              why:
                change.kind === 'configmap'
                  ? 'not every node took the change, so redis.conf was left as it was (it would claim a value some nodes lack). Retry once the failing nodes accept it, or Revert.'
                  : 'not every node took the change.',
            })),
          }
        : {}),
      summary: `${phase === 'apply' ? 'Changed' : 'Restored'} on ${nodesText}; failed on ${failedNodes
        .map((n) => `${n} (${reasonOf(failures.find((f) => (f.change as RedisChange).node === n)?.error ?? '')})`)
        .join(', ')}`,
    };
  }

  const done: { change: Change; undo?: () => Promise<void> }[] = changedLive.map((c) => ({
    change: c,
    undo: () => ctx.redis.configSet(c.node, c.parameter, c.before),
  }));
  const restarted: string[] = [];
  for (const c of changes.filter((x) => !isRedis(x))) {
    try {
      if (c.kind === 'configmap') {
        const cluster = needCluster(ctx);
        const { resourceVersion } = await cluster.patchConfigMapKey(c.name, c.key, c.after, c.resourceVersion);
        done.push({
          change: c,
          undo: async () => void (await cluster.patchConfigMapKey(c.name, c.key, c.before, resourceVersion)),
        });
      } else if (c.kind === 'rollout-restart') {
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
    ...(multiNode
      ? { summary: `${phase === 'apply' ? 'Changed and confirmed' : 'Restored and confirmed'} on ${nodesText}` }
      : {}),
  };
}

/** `maxmemory-policy on 127.0.0.1:6379`, `ConfigMap redis-session-config`, `restart of Deployment x`. */
export function label(c: Change): string {
  if (c.kind === 'redis-config') return `${c.parameter} on ${c.node}`;
  if (c.kind === 'configmap') return `ConfigMap ${c.name} key ${c.key}`;
  return `restart of Deployment ${c.deployment}`;
}

const reverseDiff = (diff: string[]) =>
  diff.map((l) => (l.startsWith('-') ? `+${l.slice(1)}` : l.startsWith('+') ? `-${l.slice(1)}` : l));

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
      if (!cm)
        throw new ClusterError(
          `ConfigMap "${c.name}" no longer exists in namespace "${c.namespace}"; nothing was reverted.`,
          'not_found',
          404,
        );
      if (cm.data[c.key] !== c.after) {
        throw new ClusterError(
          `ConfigMap "${c.name}" key ${c.key} in namespace "${c.namespace}" changed since the action was applied; the revert changed nothing, so as not to overwrite that change. Restore it by hand if needed.`,
          'conflict',
          409,
        );
      }
      inverse.push({
        ...c,
        before: c.after,
        after: c.before,
        diff: reverseDiff(c.diff),
        resourceVersion: cm.resourceVersion,
      });
    } else if (restoresConfigMap) {
      const d = await needCluster(ctx).readDeployment(c.deployment);
      if (!d)
        throw new ClusterError(
          `Deployment "${c.deployment}" no longer exists in namespace "${c.namespace}"; nothing was reverted.`,
          'not_found',
          404,
        );
      inverse.push({ ...c, resourceVersion: d.resourceVersion });
    }
  }
  if (!inverse.length)
    throw new UserError(
      'Nothing to revert: a restart cannot be undone, and this action changed no value.',
      'not_revertible',
    );
  return runChanges(ctx, inverse, opts, 'revert');
}
