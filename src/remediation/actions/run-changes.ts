import { UserError } from '../../core/errors.js';
import { ClusterError } from '../../core/ports/cluster.js';
import type { ConfigMapChange, RedisConfigChange, RolloutRestartChange } from '../changes.js';
import type { ActionContext, ApplyOutcome, Change, ClusterWritePort, RevertRecord } from '../types.js';
import { logStep, OutcomeUnknownError, outcomeUnknown, settleConfigMap, settleRedis } from './read-back.js';
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
    `Deployment "${name}" in namespace "${namespace}" is paused (spec.paused: true), so a restart would not roll out. ` +
      `Resume it first (kubectl rollout resume deployment/${name} -n ${namespace}) or leave it alone.`,
    'deployment_paused',
  );
}

const conflict = (what: string, phase: Phase, from: string, to: string) =>
  new ClusterError(
    `${what} changed ${since(phase)} (resourceVersion ${from} → ${to}). ${again(phase)}`,
    'conflict',
    409,
  );

const gone = (what: string, namespace: string, phase: Phase) =>
  new ClusterError(`${what} no longer exists in namespace "${namespace}". ${again(phase)}`, 'not_found', 404);

async function checkRedisValue(ctx: ActionContext, c: RedisConfigChange, phase: Phase): Promise<void> {
  const now = await ctx.redis.configGet(c.node, c.parameter);
  if (now !== c.before) {
    throw new StalePlanError(
      `${c.parameter} on Redis ${c.node} is now "${now}", not "${c.before}" as read ${since(phase)}. ${again(phase)}`,
    );
  }
}

async function checkConfigMap(ctx: ActionContext, c: ConfigMapChange, phase: Phase): Promise<void> {
  const cm = await needCluster(ctx).readConfigMap(c.name);
  if (!cm) throw gone(`ConfigMap "${c.name}"`, c.namespace, phase);
  if (cm.resourceVersion !== c.resourceVersion || (cm.data[c.key] ?? '') !== c.before)
    throw conflict(`ConfigMap "${c.name}" in namespace "${c.namespace}"`, phase, c.resourceVersion, cm.resourceVersion);
}

async function checkDeployment(ctx: ActionContext, c: RolloutRestartChange, phase: Phase): Promise<void> {
  const d = await needCluster(ctx).readDeployment(c.deployment);
  if (!d) throw gone(`Deployment "${c.deployment}"`, c.namespace, phase);
  if (d.paused) throw pausedError(c.deployment, c.namespace);
  if (d.resourceVersion !== c.resourceVersion)
    throw conflict(
      `Deployment "${c.deployment}" in namespace "${c.namespace}"`,
      phase,
      c.resourceVersion,
      d.resourceVersion,
    );
}

/** Reads everything the changes depend on and fails, before any write, when it moved. */
async function checkPreconditions(ctx: ActionContext, changes: Change[], phase: Phase): Promise<void> {
  for (const c of changes) {
    if (c.kind === 'redis-config') await checkRedisValue(ctx, c, phase);
    else if (c.kind === 'configmap') await checkConfigMap(ctx, c, phase);
    else await checkDeployment(ctx, c, phase);
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

const isRedis = (c: Change): c is RedisConfigChange => c.kind === 'redis-config';

/** The first sentence of an error, for the one-line summary (the full text is on the node's own line). */
const reasonOf = (text: string) =>
  (text.replace(/^Redis at \S+ /, '').split(/(?<=[.)])\s/)[0] ?? text).replace(/\.$/, '');

/** Puts back a node's changes made so far, last first; returns those that stay changed. */
async function undoNode(
  ctx: ActionContext,
  applied: RedisConfigChange[],
): Promise<{ left: RedisConfigChange[]; undoErrors: string[] }> {
  const left: RedisConfigChange[] = [];
  const undoErrors: string[] = [];
  for (const d of [...applied].reverse()) {
    try {
      await ctx.redis.configSet(d.node, d.parameter, d.before);
      await logStep(ctx, d, 'undone');
    } catch (undoErr) {
      left.unshift(d);
      undoErrors.push(message(undoErr));
    }
  }
  return { left, undoErrors };
}

/**
 * One node's parameters, in order. When one is refused the node's earlier ones are put back, so a node
 * is either changed or not; a put-back that fails leaves those changes applied (and listed).
 */
async function applyNode(
  ctx: ActionContext,
  list: RedisConfigChange[],
): Promise<{
  applied: RedisConfigChange[];
  failed?: { change: RedisConfigChange; error: unknown; undoError?: string };
}> {
  const applied: RedisConfigChange[] = [];
  for (const c of list) {
    await logStep(ctx, c, 'started');
    try {
      await ctx.redis.configSet(c.node, c.parameter, c.after);
    } catch (error) {
      // A timeout is read back before anything is decided: the change may have been made.
      const settled = outcomeUnknown(error) ? await settleRedis(ctx, c) : undefined;
      if (settled?.landed === true) {
        await logStep(ctx, c, 'done', settled.detail);
        applied.push(c);
        continue;
      }
      await logStep(ctx, c, settled?.landed === 'unknown' ? 'unknown' : 'failed', settled?.detail ?? message(error));
      const { left, undoErrors } = await undoNode(ctx, applied);
      const undo = undoErrors.length ? { undoError: undoErrors.join('; ') } : {};
      return { applied: left, failed: { change: c, error, ...undo } };
    }
    await logStep(ctx, c, 'done');
    applied.push(c);
  }
  return { applied };
}

/** A node that refused (or could not be reached), in words. */
interface NodeFailure {
  change: RedisConfigChange;
  error: string;
}

/** The live values, node by node: every node is tried even when another refuses. */
interface LiveResult {
  nodes: number;
  changed: RedisConfigChange[];
  failures: NodeFailure[];
  firstError: unknown;
}

async function applyLive(ctx: ActionContext, changes: Change[]): Promise<LiveResult> {
  const byNode = new Map<string, RedisConfigChange[]>();
  for (const c of changes.filter(isRedis)) byNode.set(c.node, [...(byNode.get(c.node) ?? []), c]);
  const result: LiveResult = { nodes: byNode.size, changed: [], failures: [], firstError: undefined };
  for (const list of byNode.values()) {
    const r = await applyNode(ctx, list);
    result.changed.push(...r.applied);
    if (!r.failed) continue;
    result.firstError ??= r.failed.error;
    const undo = r.failed.undoError
      ? ` Putting back this node's earlier changes failed too (${r.failed.undoError}).`
      : '';
    result.failures.push({ change: r.failed.change, error: `${message(r.failed.error)}${undo}` });
  }
  return result;
}

const nodesText = (live: LiveResult) =>
  `${new Set(live.changed.map((c) => c.node)).size} of ${live.nodes} node${live.nodes === 1 ? '' : 's'}`;

const NOT_EVERY_NODE_CONF =
  'not every node took the change, so redis.conf was left as it was (it would claim a value some nodes lack). ' +
  'Retry once the failing nodes accept it, or Revert.';

/**
 * Some nodes refused: with none changed, the (first) typed error is thrown and nothing is left changed;
 * otherwise the outcome says which nodes changed and which did not, and the Kubernetes objects are not touched.
 */
function partialOutcome(live: LiveResult, rest: Change[], phase: Phase): ApplyOutcome {
  const [first] = live.failures;
  if (!live.changed.length || !first) {
    if (live.failures.length === 1) throw live.firstError;
    const each = live.failures.map((f) => `${f.change.node}: ${reasonOf(f.error)}`).join('; ');
    throw new UserError(`Nothing was changed: every node refused or could not be reached (${each}).`, 'redis_refused');
  }
  const failedNodes = [...new Set(live.failures.map((f) => f.change.node))];
  const reasons = failedNodes.map(
    (n) => `${n} (${reasonOf(live.failures.find((f) => f.change.node === n)?.error ?? '')})`,
  );
  const why = (c: Change) => (c.kind === 'configmap' ? NOT_EVERY_NODE_CONF : 'not every node took the change.');
  return {
    ok: false,
    applied: live.changed,
    failed: first,
    failures: live.failures,
    ...(rest.length ? { notAttempted: rest.map((change) => ({ change, why: why(change) })) } : {}),
    summary: `${phase === 'apply' ? 'Changed' : 'Restored'} on ${nodesText(live)}; failed on ${reasons.join(', ')}`,
  };
}

/** A change made, and how to put it back (a restart cannot be). */
interface Done {
  change: Change;
  undo?: () => Promise<void>;
}

/** Puts back what was done, last first; returns what stays changed and why the put-backs failed. */
async function undoAll(done: Done[]): Promise<{ stillApplied: Change[]; undoErrors: string[] }> {
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
  return { stillApplied, undoErrors };
}

/** The PATCH of one ConfigMap key; a timeout is read back (and fenced) before anything is decided. */
async function patchConfigMap(ctx: ActionContext, cluster: ClusterWritePort, c: ConfigMapChange): Promise<string> {
  try {
    return (await cluster.patchConfigMapKey(c.name, c.key, c.after, c.resourceVersion)).resourceVersion;
  } catch (err) {
    if (!outcomeUnknown(err)) {
      await logStep(ctx, c, 'failed', message(err));
      throw err;
    }
    await logStep(ctx, c, 'unknown', message(err));
    const settled = await settleConfigMap(cluster, c);
    if (settled.landed === true && settled.resourceVersion) {
      await logStep(ctx, c, 'done', settled.detail);
      return settled.resourceVersion;
    }
    await logStep(ctx, c, settled.landed === false ? 'failed' : 'unknown', settled.detail);
    if (settled.landed === 'unknown') throw new OutcomeUnknownError(`${message(err)} ${settled.detail}.`);
    throw new ClusterError(`${message(err)} ${settled.detail}.`, 'unreachable');
  }
}

/** Performs one Kubernetes change; returns how to undo it. */
async function applyObject(ctx: ActionContext, c: ConfigMapChange | RolloutRestartChange): Promise<Done> {
  const cluster = needCluster(ctx);
  await logStep(ctx, c, 'started');
  if (c.kind === 'rollout-restart') {
    try {
      await cluster.restartDeployment(c.deployment, c.resourceVersion, new Date(ctx.now()));
    } catch (err) {
      await logStep(ctx, c, outcomeUnknown(err) ? 'unknown' : 'failed', message(err));
      throw err;
    }
    await logStep(ctx, c, 'done');
    return { change: c };
  }
  const resourceVersion = await patchConfigMap(ctx, cluster, c);
  await logStep(ctx, c, 'done');
  return {
    change: c,
    undo: async () => {
      await cluster.patchConfigMapKey(c.name, c.key, c.before, resourceVersion);
      await logStep(ctx, c, 'undone');
    },
  };
}

/** Follows a rollout until it ends, its deadline, or the bot stopping (then it is not followed to the end). */
async function followRollout(
  ctx: ActionContext,
  c: RolloutRestartChange,
  deadlineMs: number,
): Promise<NonNullable<ApplyOutcome['rollouts']>[number]> {
  const waiting = needCluster(ctx).waitForRollout(c.deployment, deadlineMs);
  const signal = ctx.interrupted;
  let onAbort: () => void = () => undefined;
  const stopped = new Promise<'interrupted'>((resolve) => {
    onAbort = () => resolve('interrupted');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const r = await Promise.race([waiting, stopped]).finally(() => signal?.removeEventListener('abort', onAbort));
  if (r !== 'interrupted') return { deployment: c.deployment, ...r };
  waiting.catch(() => undefined);
  const detail =
    'not followed to the end: the bot was stopping; the restart was made (follow it with ' +
    `kubectl rollout status deployment/${c.deployment} -n ${c.namespace})`;
  await logStep(ctx, c, 'done', `rollout ${detail}`);
  return { deployment: c.deployment, status: 'interrupted', detail };
}

/**
 * The Kubernetes objects after the live values, all or nothing with them: on a failure the changes
 * already made are put back (last first) and the original typed error is thrown; when a put-back fails
 * too, the outcome lists what stays changed.
 */
async function applyObjects(
  ctx: ActionContext,
  changed: RedisConfigChange[],
  changes: Change[],
): Promise<{ done: Done[] } | { failure: ApplyOutcome }> {
  const done: Done[] = changed.map((c) => ({
    change: c,
    undo: () => ctx.redis.configSet(c.node, c.parameter, c.before),
  }));
  for (const c of changes) {
    if (c.kind === 'redis-config') continue;
    try {
      done.push(await applyObject(ctx, c));
    } catch (err) {
      // What is really in place is not known yet (a PATCH may still land): nothing is put back blindly.
      if (err instanceof OutcomeUnknownError) throw err;
      const { stillApplied, undoErrors } = await undoAll(done);
      if (stillApplied.length === 0) throw err;
      const why = undoErrors.join('; ') || 'a restart cannot be undone';
      const error = `${message(err)} Putting back the changes already made failed too (${why}); these stay changed: ${stillApplied.map(label).join(', ')}.`;
      return { failure: { ok: false, applied: stillApplied, failed: { change: c, error } } };
    }
  }
  return { done };
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
  const live = await applyLive(ctx, changes);
  if (live.failures.length)
    return partialOutcome(
      live,
      changes.filter((c) => !isRedis(c)),
      phase,
    );
  const objects = await applyObjects(ctx, live.changed, changes);
  if ('failure' in objects) return objects.failure;
  const rollouts: NonNullable<ApplyOutcome['rollouts']> = [];
  for (const { change } of objects.done) {
    if (change.kind !== 'rollout-restart') continue;
    rollouts.push(await followRollout(ctx, change, ctx.now() + opts.rolloutTimeoutMs));
  }
  const confirmed = phase === 'apply' ? 'Changed and confirmed' : 'Restored and confirmed';
  return {
    // A rollout the bot stopped following (it was stopping) does not make the apply a failure: it was made.
    ok: rollouts.every((r) => r.status === 'complete' || r.status === 'interrupted'),
    applied: objects.done.map((d) => d.change),
    ...(rollouts.length ? { rollouts } : {}),
    ...(live.nodes > 1 ? { summary: `${confirmed} on ${nodesText(live)}` } : {}),
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

/** A ConfigMap change turned around, when the key still holds what the action wrote. */
async function inverseConfigMap(ctx: ActionContext, c: ConfigMapChange): Promise<ConfigMapChange> {
  const cm = await needCluster(ctx).readConfigMap(c.name);
  if (!cm)
    throw new ClusterError(
      `ConfigMap "${c.name}" no longer exists in namespace "${c.namespace}"; nothing was reverted.`,
      'not_found',
      404,
    );
  if (cm.data[c.key] !== c.after) {
    throw new ClusterError(
      `ConfigMap "${c.name}" key ${c.key} in namespace "${c.namespace}" changed since the action was applied; ` +
        'the revert changed nothing, so as not to overwrite that change. Restore it by hand if needed.',
      'conflict',
      409,
    );
  }
  return { ...c, before: c.after, after: c.before, diff: reverseDiff(c.diff), resourceVersion: cm.resourceVersion };
}

/** The restart repeated against the Deployment's current resourceVersion. */
async function repeatRestart(ctx: ActionContext, c: RolloutRestartChange): Promise<RolloutRestartChange> {
  const d = await needCluster(ctx).readDeployment(c.deployment);
  if (!d)
    throw new ClusterError(
      `Deployment "${c.deployment}" no longer exists in namespace "${c.namespace}"; nothing was reverted.`,
      'not_found',
      404,
    );
  return { ...c, resourceVersion: d.resourceVersion };
}

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
    else if (c.kind === 'configmap') inverse.push(await inverseConfigMap(ctx, c));
    else if (restoresConfigMap) inverse.push(await repeatRestart(ctx, c));
  }
  if (!inverse.length)
    throw new UserError(
      'Nothing to revert: a restart cannot be undone, and this action changed no value.',
      'not_revertible',
    );
  return runChanges(ctx, inverse, opts, 'revert');
}
