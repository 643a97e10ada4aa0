import { z } from 'zod';
import type { RemediationAction } from '../types.js';
import { parseRedisMemory, requireRedisMemory } from './memory-size.js';
import { wholeNumber } from './param-schemas.js';
import { redisSettingCapability } from './redis-setting-capability.js';
import { alreadySummary, describeChanges, planRedisSettings } from './redis-settings.js';
import { revertChanges, runChanges } from './run-changes.js';

const params = z
  .object({
    /** `auto-aof-rewrite-percentage` (runbook: 100). */
    percentage: wholeNumber(0, 10_000).default(100),
    /** `auto-aof-rewrite-min-size` (runbook: 128mb). */
    minSize: z
      .string()
      .default('128mb')
      .refine((v) => parseRedisMemory(v) !== undefined, {
        message: 'expected a memory size: bytes or a Redis unit (64mb, 1gb)',
      }),
  })
  .strict();
export type TuneAofParams = z.infer<typeof params>;

/** Runbook Scenario 7: fewer AOF rewrites under load, live and in redis.conf. */
export const tuneAof: RemediationAction<TuneAofParams> = {
  id: 'tune-aof',
  title: 'Tune AOF rewrites',
  scenarios: [7],
  recheck: ['aof'],
  findings: ['aof.last_rewrite_failed', 'aof.rewrite_in_progress', 'aof.frequent_rewrites', 'config.live_drift_aof'],
  params,
  inputs: [
    { kind: 'number', name: 'percentage', label: 'auto-aof-rewrite-percentage', min: 0, max: 10_000 },
    { kind: 'text', name: 'minSize', label: 'auto-aof-rewrite-min-size' },
  ],
  redisSettings: (v) => {
    const p = params.safeParse(v).data ?? { percentage: 100, minSize: '128mb' };
    return [
      { parameter: 'auto-aof-rewrite-percentage', value: String(p.percentage) },
      { parameter: 'auto-aof-rewrite-min-size', value: p.minSize },
    ];
  },
  capability: redisSettingCapability,

  async plan(ctx, p) {
    const minBytes = requireRedisMemory(p.minSize);
    const percentage = String(p.percentage);
    const { changes, warnings, live, durable } = await planRedisSettings(ctx, [
      {
        parameter: 'auto-aof-rewrite-percentage',
        value: percentage,
        confValue: percentage,
        same: (v) => v.trim() === percentage,
      },
      {
        parameter: 'auto-aof-rewrite-min-size',
        value: String(minBytes),
        confValue: p.minSize,
        same: (v) => parseRedisMemory(v) === minBytes,
      },
    ]);
    if ([...live.keys()].length && p.percentage === 0)
      warnings.push(
        'auto-aof-rewrite-percentage 0 turns automatic AOF rewrites off: the AOF grows until rewritten by hand.',
      );
    return {
      action: 'tune-aof',
      env: ctx.env.name,
      params: p,
      summary: changes.length
        ? `Set auto-aof-rewrite-percentage ${p.percentage} and auto-aof-rewrite-min-size ${p.minSize} ${describeChanges(changes, durable)}`
        : alreadySummary('The AOF rewrite settings already have these values', durable),
      changes,
      ...(durable ? { durable } : {}),
      fixes: ['Latency spikes and timeouts while Redis rewrites its AOF under high load (Scenario 7).'],
      doesNotFix: ['Evictions from memory pressure (Scenario 1).', 'AOF being off: this does not turn appendonly on.'],
      risks: ['A larger AOF between rewrites (more disk, a slower restart).'],
      warnings,
      noop: changes.length === 0,
    };
  },

  apply: (ctx, plan) => runChanges(ctx, plan.changes, { rolloutTimeoutMs: 0 }),
  revert: (ctx, record) => revertChanges(ctx, record, { rolloutTimeoutMs: 0 }),
};
