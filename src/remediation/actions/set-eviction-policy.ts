import { count, percent } from '../../core/format.js';
import { z } from 'zod';
import type { ActionContext, RemediationAction } from '../types.js';
import { policyEffects } from './eviction-policy-effects.js';
import { redisSettingCapability } from './redis-setting-capability.js';
import { alreadySummary, describeChanges, planRedisSettings } from './redis-settings.js';
import { revertChanges, runChanges } from './run-changes.js';

export const EVICTION_POLICIES = [
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'noeviction',
] as const;

const params = z
  .object({
    policy: z
      .enum(EVICTION_POLICIES, { error: `expected one of ${EVICTION_POLICIES.join(', ')}` })
      .default('volatile-lru'),
  })
  .strict();
export type EvictionPolicyParams = z.infer<typeof params>;

/** Below this share of keys with a TTL, volatile-* has little to evict and writes fail with OOM. */
const FEW_TTL_SHARE = 0.1;
/** Keys scanned at most to count sessions for the warning. */
const SESSION_SCAN_BUDGET = 100_000;

async function policyWarnings(ctx: ActionContext, policy: string): Promise<string[]> {
  // allkeys-* and noeviction: their risks (policyEffects) say it all.
  const warnings: string[] = [];
  if (!policy.startsWith('volatile-')) return warnings;
  const { keys, expires } = await ctx.redis.keyspace();
  if (keys > 0 && expires / keys < FEW_TTL_SHARE) {
    warnings.push(
      `Only ${count(expires)} of ${count(keys)} keys (${percent(expires / keys)}) carry a TTL: ${policy} can evict only those, ` +
        'and once they are gone writes fail with OOM errors.',
    );
  }
  if (expires > 0 && ctx.redis.countKeys) {
    const sessions = await ctx.redis.countKeys(ctx.env.redis.keyPattern, SESSION_SCAN_BUDGET);
    if (sessions.complete && sessions.matched >= expires * 0.9) {
      warnings.push(
        `Sessions are (nearly) the only keys with a TTL (${sessions.matched} keys match ${ctx.env.redis.keyPattern}, ` +
          `${expires} keys have a TTL): under memory pressure ${policy} evicts sessions and nothing else. ` +
          'Give the other keys a TTL or raise maxmemory.',
      );
    }
  }
  return warnings;
}

/** Runbook Scenario 1: `maxmemory-policy` live on every node and in the Redis ConfigMap's redis.conf. */
export const setEvictionPolicy: RemediationAction<EvictionPolicyParams> = {
  id: 'set-eviction-policy',
  title: 'Set the Redis eviction policy',
  scenarios: [1],
  recheck: ['eviction-policy', 'memory'],
  findings: ['eviction.allkeys_policy', 'memory.high_usage', 'memory.evictions', 'config.live_drift'],
  params,
  inputs: [{ kind: 'select', name: 'policy', label: 'maxmemory-policy', options: EVICTION_POLICIES }],

  redisSettings: (v) => [{ parameter: 'maxmemory-policy', value: params.safeParse(v).data?.policy ?? 'volatile-lru' }],
  capability: redisSettingCapability,

  async plan(ctx, p) {
    const { changes, warnings, durable } = await planRedisSettings(ctx, [
      {
        parameter: 'maxmemory-policy',
        value: p.policy,
        confValue: p.policy,
        same: (v) => v.toLowerCase() === p.policy,
      },
    ]);
    return {
      action: 'set-eviction-policy',
      env: ctx.env.name,
      params: p,
      summary: changes.length
        ? `Set maxmemory-policy to ${p.policy} ${describeChanges(changes, durable)}`
        : alreadySummary(`maxmemory-policy is already ${p.policy}`, durable),
      changes,
      ...(durable ? { durable } : {}),
      ...policyEffects(p.policy),
      warnings: [...warnings, ...(await policyWarnings(ctx, p.policy))],
      noop: changes.length === 0,
    };
  },

  apply: (ctx, plan) => runChanges(ctx, plan.changes, { rolloutTimeoutMs: 0 }),
  revert: (ctx, record) => revertChanges(ctx, record, { rolloutTimeoutMs: 0 }),
};
