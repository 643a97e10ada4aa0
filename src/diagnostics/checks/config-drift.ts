import { noteManagedConfig } from './managed-config-note.js';
import { z } from 'zod';
import { defineCheck } from '../define-check.js';
import { configDriftFindings, liveDrift, liveDriftAof, liveDriftEvents } from './config-drift.findings.js';
import { keyspaceEventClasses, memoryBytes, readDirectives } from './redis-conf-text.js';
import { ConfigNotAllowedError, type RedisNodePort } from '../../core/ports/session-store.js';
import type { FindingSpec } from '../catalogue/finding-spec.js';
import type { CheckContext, RawFinding } from '../types.js';
import type { KubernetesConfig } from '../../config/config.js';
import { nodeNoun, onNodes } from './node-scope.js';

/** The ConfigMap key that holds the Redis configuration. */
export const REDIS_CONF_KEY = 'redis.conf';

type Compare = 'memory' | 'word' | 'number' | 'events';

/** The remediation actions the fix text names (the buttons themselves come from remediation/actions/). */
const ACTIONS_NAMED = new Map<FindingSpec, string>([
  [liveDrift, 'set-eviction-policy / set-maxmemory'],
  [liveDriftAof, 'tune-aof'],
]);

/** The directives the runbook cares about, how their values compare, and the finding a drift raises. */
const DIRECTIVES: readonly { name: string; compare: Compare; spec: FindingSpec }[] = [
  { name: 'maxmemory', compare: 'memory', spec: liveDrift },
  { name: 'maxmemory-policy', compare: 'word', spec: liveDrift },
  { name: 'appendonly', compare: 'word', spec: liveDriftAof },
  { name: 'auto-aof-rewrite-percentage', compare: 'number', spec: liveDriftAof },
  { name: 'auto-aof-rewrite-min-size', compare: 'memory', spec: liveDriftAof },
  { name: 'notify-keyspace-events', compare: 'events', spec: liveDriftEvents },
];

function normalize(value: string, how: Compare): string {
  if (how === 'memory') return String(memoryBytes(value) ?? value.trim().toLowerCase());
  if (how === 'number') return String(Number(value.trim()));
  if (how === 'events') return keyspaceEventClasses(value.trim());
  return value.trim().toLowerCase();
}

const infoFallback = z.object({ maxmemory: z.string().optional(), maxmemory_policy: z.string().optional() });

/** Live values of the directives; where CONFIG is refused, what INFO tells (maxmemory, policy, AOF on/off). */
async function liveValues(
  node: RedisNodePort,
  names: readonly string[],
): Promise<{ values: Map<string, string>; via: string }> {
  const values = new Map<string, string>();
  try {
    for (const name of names) {
      const v = await node.configGet(name);
      if (v !== undefined) values.set(name, v);
    }
    return { values, via: 'CONFIG GET' };
  } catch (err) {
    if (!(err instanceof ConfigNotAllowedError)) throw err;
  }
  const [memory, persistence] = await Promise.all([node.info('memory'), node.info('persistence')]);
  const m = infoFallback.parse(memory);
  if (m.maxmemory !== undefined) values.set('maxmemory', m.maxmemory);
  if (m.maxmemory_policy !== undefined) values.set('maxmemory-policy', m.maxmemory_policy);
  if (persistence.aof_enabled !== undefined) values.set('appendonly', persistence.aof_enabled === '1' ? 'yes' : 'no');
  return { values, via: 'INFO (CONFIG is refused)' };
}

/** A directive the ConfigMap sets, with the value it sets. */
interface Compared {
  name: string;
  compare: Compare;
  spec: FindingSpec;
  want: string;
}

interface Drift {
  directive: string;
  configMap: string;
  live: string;
  address: string;
}

/** Each node's live values against the ConfigMap's, grouped by the finding a drift raises. */
async function readDrifts(ctx: CheckContext<'redis' | 'kubernetes'>, compared: readonly Compared[]) {
  const perNode = await Promise.all(
    ctx.redis.nodes.map(async (node) => ({
      node,
      ...(await liveValues(
        node,
        compared.map((d) => d.name),
      )),
    })),
  );
  const drifts = new Map<FindingSpec, Drift[]>();
  for (const { node, values } of perNode) {
    for (const d of compared) {
      const live = values.get(d.name);
      if (live === undefined || normalize(live, d.compare) === normalize(d.want, d.compare)) continue;
      const list = drifts.get(d.spec) ?? [];
      list.push({ directive: d.name, configMap: d.want, live, address: node.address });
      drifts.set(d.spec, list);
    }
  }
  return { drifts, via: [...new Set(perNode.map((p) => p.via))].join(', ') };
}

/** On a cluster the same drift on several masters is one pair naming them; a master that differs is named. */
function driftPairs(list: readonly Drift[], ctx: CheckContext<'redis'>): string[] {
  const groups = new Map<string, { directive: string; live: string; configMap: string; addresses: string[] }>();
  for (const x of list) {
    const key = `${x.directive}\0${x.live}\0${x.configMap}`;
    const g = groups.get(key) ?? { directive: x.directive, live: x.live, configMap: x.configMap, addresses: [] };
    g.addresses.push(x.address);
    groups.set(key, g);
  }
  const where = (addresses: readonly string[]) => onNodes(addresses, ctx.redis.nodes.length, nodeNoun(ctx.redis));
  return [...groups.values()].map(
    (g) => `${g.directive} ${g.live} live vs ${g.configMap} in the ConfigMap${where(g.addresses)}`,
  );
}

function driftFix(spec: FindingSpec, list: readonly Drift[], k: KubernetesConfig, where: string): string {
  const configSet = [
    ...new Map(list.map((x) => [x.directive, `CONFIG SET ${x.directive} ${quote(x.configMap)}`])).values(),
  ];
  const named = ACTIONS_NAMED.get(spec);
  const action = named ? `, or the ${named} action` : '';
  const lines = [...new Set(list.map((x) => x.directive))].join(', ');
  return (
    "Decide which value is right. To return to the ConfigMap's value, apply it live, one directive at a time " +
    `(${configSet.map((c) => `redis-cli ${c}`).join('; ')}${action}), and find who changed it at runtime. ` +
    `To keep the live value, change only the ${lines} line in the ${where} ` +
    `(kubectl edit configmap ${k.redisConfigMap} -n ${k.namespace}), leaving every other line as it is.`
  );
}

/**
 * Live drift: compares what the live Redis runs (`CONFIG GET`) with the `redis.conf` key of the Redis
 * ConfigMap for maxmemory, maxmemory-policy, appendonly, auto-aof-* and notify-keyspace-events. A
 * ConfigMap is only read at start, so a value set at runtime, or a ConfigMap changed without a restart,
 * makes the two differ; each drift is reported with both values. Directives the ConfigMap leaves out
 * are not compared (Redis' defaults apply).
 */
export const configDriftCheck = defineCheck({
  id: 'config-drift',
  summary:
    "Compares the live Redis configuration with the ConfigMap's redis.conf (maxmemory, policy, AOF, keyspace events)",
  needs: ['redis', 'kubernetes'],
  findings: configDriftFindings,
  async run(ctx) {
    const k = ctx.env.kubernetes;
    if (!k) return [];
    const cm = await ctx.cluster.readConfigMap(k.redisConfigMap);
    const text = cm?.data[REDIS_CONF_KEY];
    if (text === undefined) {
      ctx.note?.(
        cm
          ? `ConfigMap ${k.redisConfigMap} has no ${REDIS_CONF_KEY} key; nothing to compare`
          : `ConfigMap ${k.redisConfigMap} not found in ${ctx.cluster.description}; nothing to compare`,
      );
      return [];
    }
    noteManagedConfig(ctx, 'the live maxmemory, maxmemory-policy and appendonly');
    const written = readDirectives(text);
    const compared = DIRECTIVES.flatMap((d) => {
      const want = written.get(d.name);
      return want === undefined ? [] : [{ ...d, want }];
    });
    const { drifts, via } = await readDrifts(ctx, compared);
    const where = `${REDIS_CONF_KEY} of ConfigMap ${k.redisConfigMap}`;
    return [...drifts].map(([spec, list]): RawFinding => ({
      id: spec.id,
      severity: spec.severity.default,
      title: `Live Redis differs from its ConfigMap: ${driftPairs(list, ctx).join('; ')}`,
      detail:
        `The running Redis does not run what the ${where} says. Redis reads the file only at start, so ` +
        'the value was changed at runtime (CONFIG SET) or the ConfigMap changed without a restart; at ' +
        `the next restart Redis returns to the ConfigMap's value.`,
      evidence: {
        configMap: k.redisConfigMap,
        namespace: k.namespace,
        key: REDIS_CONF_KEY,
        source: `${ctx.cluster.description}; live values via ${via}`,
        drifts: list,
      },
      fix: driftFix(spec, list, k, where),
    }));
  },
});

function quote(v: string): string {
  return /^[\w.$-]+$/.test(v) ? v : `"${v.replace(/"/g, '\\"')}"`;
}
