import { governConfigMapChange } from '../gitops/configmap-step.js';
import type { GitOpsDurable } from '../gitops/durable-edit.js';
import { describeOwner } from '../gitops/ownership.js';
import { setDirective } from '../redis-conf.js';
import type { ActionContext, Change } from '../types.js';
import { objectNames } from './object-names.js';

/** The ConfigMap key that holds the Redis config file. */
export const REDIS_CONF_KEY = 'redis.conf';

/** One Redis parameter an action sets, live and in redis.conf. */
export interface RedisSetting {
  parameter: string;
  /** The value as CONFIG GET reports it (memory in bytes, names lower case): what is set and confirmed. */
  value: string;
  /** The value as written in redis.conf (`512mb`). */
  confValue: string;
  /** Whether a value read from redis.conf or CONFIG GET already means `value`. */
  same(current: string): boolean;
}

export interface SettingsPlan {
  changes: Change[];
  warnings: string[];
  /** CONFIG GET per node and parameter, before the change: `node -> parameter -> value`. */
  live: Map<string, Map<string, string>>;
  /** The redis.conf edit that belongs in Git, when Argo CD or Flux manages the ConfigMap (see `GitOpsDurable`). */
  durable?: GitOpsDurable;
}

/** CONFIG GET of every setting on every node, and the changes where a node's value differs. */
async function planLive(ctx: ActionContext, settings: RedisSetting[], plan: SettingsPlan): Promise<void> {
  // A Redis Cluster or Sentinel set: CONFIG SET is per node, so every master and every replica gets (and confirms) it.
  const topology = ctx.redis.topology ? await ctx.redis.topology() : undefined;
  const roles = new Map(topology?.map((n) => [n.address, n.role]));
  for (const node of await ctx.redis.nodes()) {
    const values = new Map<string, string>();
    plan.live.set(node, values);
    const role = roles.get(node);
    for (const s of settings) {
      const before = await ctx.redis.configGet(node, s.parameter);
      values.set(s.parameter, before);
      if (!s.same(before))
        plan.changes.push({
          kind: 'redis-config',
          node,
          parameter: s.parameter,
          before,
          after: s.value,
          ...(role ? { role } : {}),
        });
    }
  }
  if (!topology) return;
  const masters = topology.filter((n) => n.role === 'master').length;
  const changing = new Set(plan.changes.map((c) => (c.kind === 'redis-config' ? c.node : ''))).size;
  if (changing) {
    plan.warnings.push(
      `${ctx.redis.topologyName ?? 'Redis Cluster'} of ${topology.length} nodes (${masters} masters, ` +
        `${topology.length - masters} replicas): ` +
        `${changing} of them change, each on its own and confirmed with CONFIG GET. If some refuse, the others keep ` +
        'the new value, the result names the nodes that failed, and Revert restores exactly the nodes that changed.',
    );
  }
}

/** redis.conf with every setting edited in place, the diff lines, and warnings about repeated directives. */
function editConf(
  text: string,
  settings: RedisSetting[],
  configMap: string,
): { after: string; diff: string[]; warnings: string[] } {
  let after = text;
  const diff: string[] = [];
  const warnings: string[] = [];
  for (const s of settings) {
    const edit = setDirective(after, s.parameter, s.confValue, (current) => s.same(current));
    if (edit.occurrences > 1) {
      warnings.push(
        `${REDIS_CONF_KEY} in ConfigMap "${configMap}" sets ${s.parameter} ${edit.occurrences} times; the last one ` +
          `(line ${edit.line}) is the one Redis uses and the one edited, the others stay as they are.`,
      );
    }
    if (edit.changed) {
      diff.push(`@@ ${REDIS_CONF_KEY} line ${edit.line} @@`, ...edit.diff);
      after = edit.text;
    }
  }
  return { after, diff, warnings };
}

const LOST_AT_RESTART = 'the change is live only and is lost when Redis restarts';

/** The change of the Redis ConfigMap's redis.conf, or a warning that the change is live only. */
async function planConfFile(ctx: ActionContext, settings: RedisSetting[], plan: SettingsPlan): Promise<void> {
  const names = objectNames(ctx.env);
  if (!names || !ctx.cluster) {
    plan.warnings.push(
      `No live Kubernetes cluster is configured for environment "${ctx.env.name}": ${LOST_AT_RESTART}; ` +
        'make the same edit where redis.conf is kept.',
    );
    return;
  }
  const cm = await ctx.cluster.readConfigMap(names.redisConfigMap);
  const text = cm?.data[REDIS_CONF_KEY];
  if (!cm || text === undefined) {
    const missing = cm
      ? `ConfigMap "${names.redisConfigMap}" has no key "${REDIS_CONF_KEY}"`
      : `ConfigMap "${names.redisConfigMap}" was not found in namespace "${names.namespace}"`;
    plan.warnings.push(`${missing}: ${LOST_AT_RESTART}.`);
    return;
  }
  const { after, diff, warnings } = editConf(text, settings, names.redisConfigMap);
  plan.warnings.push(...warnings);
  if (after === text) return;
  const governed = await governConfigMapChange(
    ctx,
    {
      kind: 'configmap',
      namespace: names.namespace,
      name: names.redisConfigMap,
      key: REDIS_CONF_KEY,
      before: text,
      after,
      diff,
      resourceVersion: cm.resourceVersion,
    },
    cm,
    `the change is live only, and lost when Redis restarts, until the same edit of ${REDIS_CONF_KEY} ` +
      '(shown above) lands in Git.',
  );
  plan.warnings.push(...governed.warnings);
  if (governed.change) plan.changes.push(governed.change);
  if (governed.durable) plan.durable = governed.durable;
}

/**
 * Reads what each node and the Redis ConfigMap's redis.conf hold and lists the changes that would
 * set `settings` (none where a value already matches). Only reads.
 */
export async function planRedisSettings(ctx: ActionContext, settings: RedisSetting[]): Promise<SettingsPlan> {
  const plan: SettingsPlan = { changes: [], warnings: [], live: new Map() };
  await planLive(ctx, settings, plan);
  await planConfFile(ctx, settings, plan);
  return plan;
}

/** `the redis.conf edit of ConfigMap redis-session-config belongs in Git (Argo CD application "sessions")`. */
export const inGit = (d: GitOpsDurable): string =>
  `the ${d.object.key} edit of ConfigMap ${d.object.name} belongs in Git (${describeOwner(d.owner)})`;

/** The summary of a plan with nothing to change on the nodes: `<already> everywhere`, or what is left for Git. */
export const alreadySummary = (already: string, durable: GitOpsDurable | undefined): string =>
  durable ? `${already} on every node; ${inGit(durable)}` : `${already} everywhere`;

/**
 * "on 1 node and in ConfigMap redis-session-config (redis.conf)"; with a GitOps-managed ConfigMap left to Git,
 * "on 1 node; the redis.conf edit of ConfigMap redis-session-config belongs in Git (…)".
 */
export function describeChanges(changes: Change[], durable?: GitOpsDurable): string {
  const nodes = new Set(
    changes.filter((c) => c.kind === 'redis-config').map((c) => (c.kind === 'redis-config' ? c.node : '')),
  );
  const parts: string[] = [];
  if (nodes.size) parts.push(`on ${nodes.size} node${nodes.size > 1 ? 's' : ''}`);
  for (const c of changes) {
    if (c.kind === 'configmap') parts.push(`in ConfigMap ${c.name} (${c.key})`);
    if (c.kind === 'rollout-restart') parts.push(`then restart Deployment ${c.deployment}`);
  }
  const text = parts.join(' and ');
  return durable && !durable.directPatch ? `${text}; ${inGit(durable)}` : text;
}
