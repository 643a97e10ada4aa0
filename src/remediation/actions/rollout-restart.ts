import { duration } from '../../core/format.js';
import { z } from 'zod';
import type { RemediationAction } from '../types.js';
import { namedKubeCapability } from './capability.js';
import { requireCluster } from './require-cluster.js';
import { rolloutTimeoutSeconds } from './param-schemas.js';
import { planRestart, rolloutTimeoutMs } from './restart-change.js';
import { revertChanges, runChanges } from './run-changes.js';

const TARGETS = ['app', 'redis'] as const;

const params = z
  .object({
    target: z.enum(TARGETS, { error: 'expected app or redis' }),
    /** How long the rollout is followed before it is reported timed_out. */
    timeoutSeconds: rolloutTimeoutSeconds(),
  })
  .strict();
export type RolloutRestartParams = z.infer<typeof params>;

/** Findings whose restart concerns Redis rather than the app. */
const REDIS_RESTART = /^aof\./;

/** `kubectl rollout restart` of the app or the Redis Deployment, followed to completion (Scenarios 3, 6, 7). */
export const rolloutRestart: RemediationAction<RolloutRestartParams> = {
  id: 'rollout-restart',
  title: 'Restart a Deployment',
  scenarios: [3, 6, 7],
  recheck: ['env-check', 'hardcoded-ttl'],
  findings: ['config.env_override_mismatch', 'config.stale_pods'],
  /** A restart restarts what the finding is about: Redis for AOF, else the app. */
  offer: (findingId) => ({ target: REDIS_RESTART.test(findingId) ? 'redis' : 'app' }),
  buttonLabel: (offered) => `Restart a Deployment (${offered.target ?? 'app'})`,
  params,
  inputs: [{ kind: 'select', name: 'target', label: 'Restart', options: TARGETS }],

  capability: (ctx) =>
    namedKubeCapability(ctx, (names) => [
      { verb: 'patch', resource: 'deployments', name: names.appDeployment },
      { verb: 'patch', resource: 'deployments', name: names.redisDeployment },
    ]),

  async plan(ctx, p) {
    const { cluster, names } = requireCluster(ctx);
    const deployment = p.target === 'app' ? names.appDeployment : names.redisDeployment;
    const change = await planRestart(cluster, names, deployment);
    const redis = p.target === 'redis';
    return {
      action: 'rollout-restart',
      env: ctx.env.name,
      params: p,
      summary:
        `Restart Deployment ${deployment} in namespace ${names.namespace} ` +
        `and follow the rollout (up to ${duration(p.timeoutSeconds)})`,
      changes: [change],
      fixes: redis
        ? ['Redis running with settings older than its ConfigMap (Scenarios 1 and 7).']
        : [
            'App pods running with environment variables older than their ConfigMap (Scenarios 3 and 6): env vars are read only at start.',
          ],
      doesNotFix: ['A wrong value in the ConfigMap itself: the restart only makes the pods read it again.'],
      risks: redis
        ? [
            'Redis is unavailable while its pod restarts; sessions are lost unless they are persisted (AOF or RDB) and reloaded.',
            'The restarted Redis reads redis.conf from its ConfigMap: settings changed only live (CONFIG SET) are lost.',
          ]
        : ['Pods are replaced one by one; requests in flight on a terminating pod may fail.'],
      warnings: [],
      noop: false,
    };
  },

  apply: (ctx, plan) => runChanges(ctx, plan.changes, { rolloutTimeoutMs: rolloutTimeoutMs(plan.params) }),
  revert: (ctx, record) => revertChanges(ctx, record, { rolloutTimeoutMs: 300_000 }),
};
