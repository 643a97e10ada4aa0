import { z } from 'zod';
import { defineCheck } from '../define-check.js';
import { configDriftFindings, liveDrift, liveDriftAof, liveDriftEvents } from './config-drift.findings.js';
import { keyspaceEventClasses, memoryBytes, readDirectives } from './redis-conf-text.js';
import { ConfigNotAllowedError, type RedisNodePort } from '../../core/ports/session-store.js';
import type { FindingSpec } from '../catalogue/finding-spec.js';
import type { RawFinding } from '../types.js';
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
    const written = readDirectives(text);
    const compared = DIRECTIVES.filter((d) => written.has(d.name));
    const perNode = await Promise.all(
      ctx.redis.nodes.map(async (node) => ({
        node,
        ...(await liveValues(
          node,
          compared.map((d) => d.name),
        )),
      })),
    );
    const drifts = new Map<FindingSpec, { directive: string; configMap: string; live: string; address: string }[]>();
    for (const { node, values } of perNode) {
      for (const d of compared) {
        const live = values.get(d.name);
        const want = written.get(d.name) as string;
        if (live === undefined || normalize(live, d.compare) === normalize(want, d.compare)) continue;
        const list = drifts.get(d.spec) ?? [];
        list.push({ directive: d.name, configMap: want, live, address: node.address });
        drifts.set(d.spec, list);
      }
    }
    const via = [...new Set(perNode.map((p) => p.via))].join(', ');
    const where = `${REDIS_CONF_KEY} of ConfigMap ${k.redisConfigMap}`;
    const findings: RawFinding[] = [];
    for (const [spec, list] of drifts) {
      // On a cluster the same drift on several masters is one pair naming them; a master that differs is named.
      const groups = new Map<string, { directive: string; live: string; configMap: string; addresses: string[] }>();
      for (const x of list) {
        const k = `${x.directive}\0${x.live}\0${x.configMap}`;
        const g = groups.get(k) ?? { directive: x.directive, live: x.live, configMap: x.configMap, addresses: [] };
        g.addresses.push(x.address);
        groups.set(k, g);
      }
      const pairs = [...groups.values()].map(
        (g) =>
          `${g.directive} ${g.live} live vs ${g.configMap} in the ConfigMap${onNodes(g.addresses, ctx.redis.nodes.length, nodeNoun(ctx.redis))}`,
      );
      const configSet = [
        ...new Map(list.map((x) => [x.directive, `CONFIG SET ${x.directive} ${quote(x.configMap)}`])).values(),
      ];
      findings.push({
        id: spec.id,
        severity: spec.severity.default,
        title: `Live Redis differs from its ConfigMap: ${pairs.join('; ')}`,
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
        fix: `Decide which value is right. To return to the ConfigMap's value, apply it live, one directive at a time (${configSet.map((c) => `redis-cli ${c}`).join('; ')}${ACTIONS_NAMED.has(spec) ? `, or the ${ACTIONS_NAMED.get(spec)} action` : ''}), and find who changed it at runtime. To keep the live value, change only the ${[...new Set(list.map((x) => x.directive))].join(', ')} line in the ${where} (kubectl edit configmap ${k.redisConfigMap} -n ${k.namespace}), leaving every other line as it is.`,
      });
    }
    return findings;
  },
});

function quote(v: string): string {
  return /^[\w.$-]+$/.test(v) ? v : `"${v.replace(/"/g, '\\"')}"`;
}
