import { noteManagedConfig } from './managed-config-note.js';
import { defineCheck } from '../define-check.js';
import {
  allkeysPolicy,
  noeviction,
  sessionsOnlyCandidates,
  evictionPolicyFindings,
} from './eviction-policy.findings.js';
import { ConfigNotAllowedError, type RedisNodePort } from '../../core/ports/session-store.js';
import { HIGH_USAGE_RATIO, readEvictedKeys, readMemory, type MemoryReading } from './memory.js';
import type { RawFinding } from '../types.js';
import type { EnvironmentConfig } from '../../config/config.js';
import type { ClusterPort } from '../../core/ports/cluster.js';
import { readDirectives } from './redis-conf-text.js';
import { REDIS_CONF_KEY } from './config-drift.js';
import { count, percent } from '../../core/format.js';
import { nodeNoun, onNodes } from './node-scope.js';

const ALLKEYS = new Set(['allkeys-lru', 'allkeys-lfu', 'allkeys-random']);
const VOLATILE = new Set(['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']);
/** Below this share of keys with a TTL, a volatile-* policy can only evict the sessions. */
const FEW_EXPIRES_RATIO = 0.5;

/** The Redis ConfigMap's names, from the environment (the runbook's defaults without a Kubernetes section). */
function redisObjects(env: EnvironmentConfig): { namespace: string; configMap: string } {
  return {
    namespace: env.kubernetes?.namespace ?? 'langgraph-agent',
    configMap: env.kubernetes?.redisConfigMap ?? 'redis-session-config',
  };
}

/**
 * The runbook's Scenario 1 fix. It changes one directive and says so: when the ConfigMap already sets a
 * volatile-* policy the live value drifted, so the fix is to apply it live, not to edit the ConfigMap.
 */
export function allkeysFix(
  env: EnvironmentConfig,
  livePolicy: string | undefined,
  configMapPolicy: string | undefined,
): string {
  const o = redisObjects(env);
  if (configMapPolicy && VOLATILE.has(configMapPolicy.toLowerCase())) {
    return (
      `The ${o.configMap} ConfigMap already sets maxmemory-policy ${configMapPolicy}; the live Redis ` +
      `runs ${livePolicy} (drifted: changed at runtime with CONFIG SET, or not restarted since the ` +
      `ConfigMap changed). Apply the ConfigMap's value live with the set-eviction-policy action or ` +
      `redis-cli CONFIG SET maxmemory-policy ${configMapPolicy} (changes only that setting), and find ` +
      'who changed it.'
    );
  }
  const line = configMapPolicy
    ? `the line maxmemory-policy ${configMapPolicy}`
    : 'the maxmemory-policy line (add it if missing)';
  return (
    'Set maxmemory-policy volatile-lru (evicts only keys with a TTL): use the set-eviction-policy ' +
    `action, which changes only that directive live and in the ConfigMap, or change ${line} to ` +
    `maxmemory-policy volatile-lru in the redis.conf key of the ${o.configMap} ConfigMap (kubectl ` +
    `edit configmap ${o.configMap} -n ${o.namespace}; leave the other lines as they are) and apply ` +
    'it live with redis-cli CONFIG SET maxmemory-policy volatile-lru. Or increase maxmemory (see ' +
    'redis-memory.md).'
  );
}

/** The policy the Redis ConfigMap's redis.conf sets, when a cluster source can tell; undefined otherwise. */
async function configMapPolicy(ctx: {
  env: EnvironmentConfig;
  cluster?: ClusterPort | undefined;
}): Promise<string | undefined> {
  const name = ctx.env.kubernetes?.redisConfigMap;
  if (!ctx.cluster || !name) return undefined;
  try {
    const text = (await ctx.cluster.readConfigMap(name))?.data[REDIS_CONF_KEY];
    return text === undefined ? undefined : readDirectives(text).get('maxmemory-policy');
  } catch {
    // The ConfigMap only sharpens the advice; config-drift and env-check report a failing cluster source.
    return undefined;
  }
}

interface PolicyReading {
  address: string;
  policy: string | undefined;
  configAllowed: boolean;
  memory: MemoryReading;
  evictedKeys: number;
  keyspace: { keys: number; expires: number };
}

async function readPolicy(node: RedisNodePort): Promise<PolicyReading> {
  const [memory, evictedKeys, keyspace] = await Promise.all([readMemory(node), readEvictedKeys(node), node.keyspace()]);
  let policy: string | undefined;
  let configAllowed = true;
  try {
    policy = await node.configGet('maxmemory-policy');
  } catch (err) {
    if (!(err instanceof ConfigNotAllowedError)) throw err;
    // Managed Redis services disable CONFIG; INFO memory carries the same setting.
    configAllowed = false;
  }
  return { address: node.address, policy: policy ?? memory.policy, configAllowed, memory, evictedKeys, keyspace };
}

/** The nodes a finding is about, among all the nodes read; on one node, that node alone. */
interface Scope {
  affected: PolicyReading[];
  all: PolicyReading[];
  noun: string;
}

/** The node that speaks for the finding: the one under most pressure among the affected. */
function worstOf(affected: PolicyReading[]): PolicyReading {
  const weight = (r: PolicyReading) => (r.evictedKeys > 0 ? 2 : 0) + (r.memory.usedRatio ?? -1);
  return affected.reduce((a, b) => (weight(b) > weight(a) ? b : a));
}

function baseEvidence(r: PolicyReading, scope: Scope): Record<string, unknown> {
  const { all, affected } = scope;
  return {
    policy: r.policy ?? null,
    configAllowed: r.configAllowed,
    source: r.configAllowed ? 'CONFIG GET maxmemory-policy' : 'INFO memory (maxmemory_policy)',
    ...(r.configAllowed
      ? {}
      : {
          note: 'CONFIG is disabled on this server (managed Redis or renamed command); the policy was read from INFO memory.',
        }),
    address: r.address,
    usedMemoryHuman: r.memory.usedMemoryHuman,
    maxmemoryHuman: r.memory.maxmemoryHuman,
    usedRatio: r.memory.usedRatio,
    evictedKeys: r.evictedKeys,
    keys: r.keyspace.keys,
    expires: r.keyspace.expires,
    ...(all.length > 1
      ? {
          affected: affected.map((x) => x.address),
          nodes: all.map((x) => ({
            address: x.address,
            policy: x.policy ?? null,
            usedRatio: x.memory.usedRatio,
            evictedKeys: x.evictedKeys,
            keys: x.keyspace.keys,
          })),
        }
      : {}),
  };
}

/** "The other masters run volatile-lru." on a cluster where they differ; '' otherwise. */
function othersText(scope: Scope): string {
  const others = scope.all.filter((x) => !scope.affected.includes(x));
  if (!others.length) return '';
  const policies = [...new Set(others.map((x) => x.policy ?? 'an unknown policy'))];
  return (
    ` The other ${others.length === 1 ? scope.noun.replace(/s$/, '') : scope.noun} (${others.map((x) => x.address).join(', ')}) ` +
    `run${others.length === 1 ? 's' : ''} ${policies.join(' / ')}: each master evicts by its own ` +
    'policy, so a cluster-wide view would hide this one.'
  );
}

/** On a cluster a live fix goes to each named master; on one node the fix reads as before. */
function scopedFix(fix: string, scope: Scope): string {
  if (scope.all.length <= 1) return fix;
  return `On ${scope.affected.map((x) => x.address).join(', ')} (each master separately: redis-cli -h <host> -p <port>): ${fix}`;
}

function allkeysFinding(scope: Scope, fix: string): RawFinding {
  const r = worstOf(scope.affected);
  const ratio = r.memory.usedRatio;
  const pressure = scope.affected.some(
    (x) => (x.memory.usedRatio !== null && x.memory.usedRatio > HIGH_USAGE_RATIO) || x.evictedKeys > 0,
  );
  const there = scope.all.length > 1 ? ` on ${r.address}` : '';
  const why =
    r.evictedKeys > 0
      ? `Redis${there} has already evicted ${count(r.evictedKeys)} keys.`
      : ratio !== null && ratio > HIGH_USAGE_RATIO
        ? `Memory${there} is at ${percent(ratio)} of maxmemory, so evictions are imminent.`
        : r.memory.maxmemory === 0
          ? 'No maxmemory is set yet, so nothing is evicted today; the policy applies as soon as a limit is set.'
          : `Memory${there} is at ${ratio === null ? 'an unknown share' : percent(ratio)} of maxmemory; evictions start when it is full.`;
  const where = onNodes(
    scope.affected.map((x) => x.address),
    scope.all.length,
    scope.noun,
  );
  return {
    id: allkeysPolicy.id,
    severity: pressure ? 'critical' : 'warning',
    title: `maxmemory-policy is ${r.policy}${where}: sessions ${where ? 'there ' : ''}can be evicted before their TTL`,
    detail:
      `With ${r.policy}, Redis picks eviction victims among all keys, session keys included, so ` +
      `sessions vanish before their TTL under memory pressure (runbook Scenario 1). ${why}${othersText(scope)}`,
    evidence: baseEvidence(r, scope),
    fix: scopedFix(fix, scope),
  };
}

function noevictionFinding(scope: Scope, env: EnvironmentConfig): RawFinding {
  const r = worstOf(scope.affected);
  const where = onNodes(
    scope.affected.map((x) => x.address),
    scope.all.length,
    scope.noun,
  );
  return {
    id: noeviction.id,
    severity: 'info',
    title: `maxmemory-policy is noeviction${where}: writes fail when memory is full`,
    detail:
      'Sessions are never evicted early, but once maxmemory is reached every write (new sessions, ' +
      `refreshes) fails with an OOM error, which surfaces as SessionStoreErrors.${othersText(scope)}`,
    evidence: baseEvidence(r, scope),
    fix: scopedFix(
      'Keep noeviction only with enough headroom; volatile-lru evicts the oldest keys with a TTL ' +
        'instead of failing writes (the set-eviction-policy action, or change only the maxmemory-policy ' +
        `line in the redis.conf of the ${redisObjects(env).configMap} ConfigMap).`,
      scope,
    ),
  };
}

function sessionsOnlyFinding(scope: Scope, env: EnvironmentConfig): RawFinding {
  // The node with the smallest share of keys with a TTL speaks for the others.
  const ratioOf = (x: PolicyReading) => x.keyspace.expires / x.keyspace.keys;
  const r = scope.affected.reduce((a, b) => (ratioOf(b) < ratioOf(a) ? b : a));
  const ratio = ratioOf(r);
  const where = onNodes(
    scope.affected.map((x) => x.address),
    scope.all.length,
    scope.noun,
  );
  const there = scope.all.length > 1 ? ` on ${r.address}` : '';
  return {
    id: sessionsOnlyCandidates.id,
    severity: 'warning',
    title: `${r.policy} evicts only keys with a TTL, and only ${percent(ratio)} of keys have one${where}`,
    detail:
      `${count(r.keyspace.expires)} of ${count(r.keyspace.keys)} keys${there} carry a TTL. Under ` +
      `memory pressure ${r.policy} can evict only those, which are mostly the sessions: the other ` +
      `${count(r.keyspace.keys - r.keyspace.expires)} keys without a TTL stay, and sessions go first.`,
    evidence: { ...baseEvidence(r, scope), expiresRatio: Math.round(ratio * 10000) / 10000 },
    fix:
      'Give the non-session keys a TTL or move them to another Redis, and give Redis enough maxmemory ' +
      '(the set-maxmemory action, or the maxmemory line in the redis.conf of the ' +
      `${redisObjects(env).configMap} ConfigMap, see redis-memory.md) so that evictions do not happen.`,
  };
}

/**
 * Runbook Resolution Scenario 1: the eviction policy. Reads `CONFIG GET maxmemory-policy`, or INFO
 * memory when CONFIG is refused (managed Redis).
 */
export const evictionPolicyCheck = defineCheck({
  id: 'eviction-policy',
  summary: 'Checks maxmemory-policy: whether Redis can evict sessions before their TTL (runbook Scenario 1)',
  needs: ['redis'],
  optional: ['kubernetes'],
  findings: evictionPolicyFindings,
  async run(ctx) {
    noteManagedConfig(ctx, 'maxmemory-policy');
    const [readings, cmPolicy] = await Promise.all([
      Promise.all(ctx.redis.nodes.map(readPolicy)),
      configMapPolicy(ctx),
    ]);
    const noun = nodeNoun(ctx.redis);
    const allkeys = readings.filter((r) => ALLKEYS.has(r.policy ?? ''));
    const noevict = readings.filter((r) => r.policy === 'noeviction');
    const fewExpires = readings.filter(
      (r) =>
        VOLATILE.has(r.policy ?? '') && r.keyspace.keys > 0 && r.keyspace.expires / r.keyspace.keys < FEW_EXPIRES_RATIO,
    );
    const findings: RawFinding[] = [];
    // One finding per id, naming every node it holds on; the node under most pressure speaks for them.
    if (allkeys.length) {
      const policy = worstOf(allkeys).policy;
      findings.push(allkeysFinding({ affected: allkeys, all: readings, noun }, allkeysFix(ctx.env, policy, cmPolicy)));
    }
    if (noevict.length) findings.push(noevictionFinding({ affected: noevict, all: readings, noun }, ctx.env));
    if (fewExpires.length) findings.push(sessionsOnlyFinding({ affected: fewExpires, all: readings, noun }, ctx.env));
    return findings;
  },
});
