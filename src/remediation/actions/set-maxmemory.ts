import { z } from 'zod';
import type { ActionContext, RemediationAction } from '../types.js';
import { formatBytes, parseKubeQuantity, parseRedisMemory, requireRedisMemory } from './memory-size.js';
import { objectNames } from './object-names.js';
import { redisSettingCapability } from './redis-setting-capability.js';
import { alreadySummary, describeChanges, planRedisSettings } from './redis-settings.js';
import { revertChanges, runChanges } from './run-changes.js';

/** A maxmemory below this is a typo, not a session store. */
const MIN_BYTES = 1024 ** 2;

const params = z
  .object({
    maxmemory: z
      .union([z.string(), z.number().int()])
      .transform((v) => String(v).trim())
      .refine((v) => (parseRedisMemory(v) ?? 0) >= MIN_BYTES, {
        message: 'expected a memory size of at least 1mb: bytes or a Redis unit (512mb, 2gb, 1000000k)',
      }),
  })
  .strict();
export type MaxmemoryParams = z.infer<typeof params>;

async function limitWarnings(ctx: ActionContext, bytes: number): Promise<string[]> {
  const names = objectNames(ctx.env);
  if (!names || !ctx.cluster) return [];
  const d = await ctx.cluster.readDeployment(names.redisDeployment);
  if (!d)
    return [
      `Deployment "${names.redisDeployment}" was not found, so maxmemory could not be compared with the pod's memory limit.`,
    ];
  if (!d.memoryLimit)
    return [`The Redis pod (Deployment "${names.redisDeployment}") has no memory limit to compare maxmemory with.`];
  const limit = parseKubeQuantity(d.memoryLimit);
  if (limit !== undefined && bytes > limit) {
    return [
      `maxmemory ${formatBytes(bytes)} exceeds the Redis pod's memory limit of ${d.memoryLimit} (Deployment "${names.redisDeployment}"): ` +
        'the pod is OOM-killed before Redis evicts anything. Raise the limit first, or choose at most ~75% of it.',
    ];
  }
  return [];
}

/** Raises `maxmemory`, live on every node and in redis.conf (runbook Scenario 1, step 4). */
export const setMaxmemory: RemediationAction<MaxmemoryParams> = {
  id: 'set-maxmemory',
  title: 'Raise Redis maxmemory',
  scenarios: [1],
  recheck: ['memory', 'eviction-policy'],
  findings: ['memory.high_usage', 'memory.evictions', 'config.live_drift'],
  params,
  inputs: [{ kind: 'text', name: 'maxmemory', label: 'New maxmemory (e.g. 2gb)' }],
  redisSettings: (v) => [{ parameter: 'maxmemory', value: v.maxmemory ?? '<new maxmemory, e.g. 2gb>' }],
  capability: redisSettingCapability,

  /** Twice today's limit (256mb when there is none): a starting point the person adjusts in the preview. */
  async suggest(ctx) {
    const [node] = await ctx.redis.nodes();
    const current = node ? Number(await ctx.redis.configGet(node, 'maxmemory')) : 0;
    return { maxmemory: formatBytes(current > 0 ? current * 2 : 256 * 1024 ** 2) };
  },

  async plan(ctx, p) {
    const bytes = requireRedisMemory(p.maxmemory);
    const value = String(bytes);
    const { changes, warnings, live, durable } = await planRedisSettings(ctx, [
      { parameter: 'maxmemory', value, confValue: p.maxmemory, same: (v) => parseRedisMemory(v) === bytes },
    ]);
    for (const [node, values] of live) {
      const current = Number(values.get('maxmemory'));
      if (current > bytes) {
        warnings.push(
          `This lowers maxmemory on ${node} from ${formatBytes(current)} to ${formatBytes(bytes)}: Redis evicts (or refuses writes) at once until memory fits.`,
        );
      }
    }
    return {
      action: 'set-maxmemory',
      env: ctx.env.name,
      params: p,
      summary: changes.length
        ? `Set maxmemory to ${p.maxmemory} ${describeChanges(changes, durable)}`
        : alreadySummary(`maxmemory is already ${p.maxmemory}`, durable),
      changes,
      ...(durable ? { durable } : {}),
      fixes: ['Sessions evicted before their TTL because Redis reached maxmemory (Scenario 1).'],
      doesNotFix: [
        'An eviction policy that lets sessions be evicted (allkeys-*): set it to volatile-lru too.',
        'Sessions written without a TTL (Scenario 2).',
      ],
      risks: [
        'Redis may use more memory; past the pod memory limit the kernel kills it and sessions without persistence are lost.',
      ],
      warnings: [...warnings, ...(await limitWarnings(ctx, bytes))],
      noop: changes.length === 0,
    };
  },

  apply: (ctx, plan) => runChanges(ctx, plan.changes, { rolloutTimeoutMs: 0 }),
  revert: (ctx, record) => revertChanges(ctx, record, { rolloutTimeoutMs: 0 }),
};
