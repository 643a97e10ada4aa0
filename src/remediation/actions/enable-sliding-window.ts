import { z } from 'zod';
import { ClusterError } from '../../core/ports/cluster.js';
import type { ConfigMapChange } from '../changes.js';
import type { ActionContext, Change, RemediationAction } from '../types.js';
import { governConfigMapChange } from '../gitops/configmap-step.js';
import { namedKubeCapability } from './capability.js';
import type { ObjectNames } from './object-names.js';
import { requireCluster } from './require-cluster.js';
import { rolloutTimeoutSeconds } from './param-schemas.js';
import { planRestart, rolloutTimeoutMs } from './restart-change.js';
import { revertChanges, runChanges } from './run-changes.js';

/** The app ConfigMap key of the runbook (Diagnosis 5, Scenario 3). */
export const SLIDING_WINDOW_KEY = 'session_sliding_window';

const params = z.object({ timeoutSeconds: rolloutTimeoutSeconds() }).strict();
export type SlidingWindowParams = z.infer<typeof params>;

/** `session_sliding_window: "true"` in the app ConfigMap, from `current` (absent: the key is added). */
function slidingWindowChange(
  names: ObjectNames,
  current: string | undefined,
  resourceVersion: string,
): ConfigMapChange {
  return {
    kind: 'configmap',
    namespace: names.namespace,
    name: names.appConfigMap,
    key: SLIDING_WINDOW_KEY,
    before: current ?? '',
    after: 'true',
    diff: [
      ...(current !== undefined ? [`-${SLIDING_WINDOW_KEY}: ${JSON.stringify(current)}`] : []),
      `+${SLIDING_WINDOW_KEY}: "true"`,
    ],
    resourceVersion,
  };
}

/**
 * The ConfigMap key set to "true" (when it is not already) and the app's restart, with the warnings. Under
 * GitOps without a direct patch, neither: the edit is the plan's `durable` step and a restart alone changes nothing.
 */
async function planSlidingWindow(ctx: ActionContext) {
  const { cluster, names } = requireCluster(ctx);
  const cm = await cluster.readConfigMap(names.appConfigMap);
  if (!cm)
    throw new ClusterError(
      `ConfigMap "${names.appConfigMap}" was not found in namespace "${names.namespace}".`,
      'not_found',
      404,
    );
  const current = cm.data[SLIDING_WINDOW_KEY];
  const warnings: string[] = [];
  if (!ctx.env.slidingWindow) {
    warnings.push(
      `The ${ctx.env.profile} profile recommends no sliding window (runbook Configuration Reference): ` +
        'sessions of API clients would never expire while they are used.',
    );
  }
  const changes: Change[] = [];
  if (current === 'true') return { changes, warnings, names };
  if (current === undefined)
    warnings.push(
      `ConfigMap "${names.appConfigMap}" has no key ${SLIDING_WINDOW_KEY}; a revert sets it to an empty string.`,
    );
  const governed = await governConfigMapChange(
    ctx,
    slidingWindowChange(names, current, cm.resourceVersion),
    cm,
    `nothing changes until the same edit of ${SLIDING_WINDOW_KEY} (shown above) lands in Git. The rollout ` +
      `restart of Deployment ${names.appDeployment} is not offered either: without the ConfigMap change its pods ` +
      'would start with the same value. Once the edit is synced, restart it (rollout-restart) unless the sync rolls it.',
  );
  warnings.push(...governed.warnings);
  const durable = governed.durable;
  if (durable?.directPatch)
    warnings.push(
      `The pods restarted now read ${SLIDING_WINDOW_KEY} "true" at start and keep it until their next restart, ` +
        'even after the sync puts the old value back.',
    );
  if (!governed.change) return { changes, warnings, names, ...(durable ? { durable } : {}) };
  changes.push(governed.change, await planRestart(cluster, names, names.appDeployment));
  return { changes, warnings, names, ...(durable ? { durable } : {}) };
}

/** Runbook Scenario 3: `session_sliding_window: "true"`, then a restart, because env vars do not reload. */
export const enableSlidingWindow: RemediationAction<SlidingWindowParams> = {
  id: 'enable-sliding-window',
  title: 'Enable the sliding session window',
  scenarios: [3],
  recheck: ['sliding-window', 'env-check'],
  findings: ['sliding_window.disabled'],
  params,
  inputs: [],

  capability: (ctx) =>
    namedKubeCapability(ctx, (names) => [
      { verb: 'patch', resource: 'configmaps', name: names.appConfigMap },
      { verb: 'patch', resource: 'deployments', name: names.appDeployment },
    ]),

  async plan(ctx, p) {
    const { changes, warnings, names, durable } = await planSlidingWindow(ctx);
    return {
      action: 'enable-sliding-window',
      env: ctx.env.name,
      params: p,
      summary: changes.length
        ? `Set ${SLIDING_WINDOW_KEY} to "true" in ConfigMap ${names.appConfigMap}, ` +
          `then restart Deployment ${names.appDeployment}`
        : durable
          ? `${SLIDING_WINDOW_KEY} is to be set to "true" in Git for ConfigMap ${names.appConfigMap}: nothing for the bot to change`
          : `${SLIDING_WINDOW_KEY} is already "true" in ConfigMap ${names.appConfigMap}`,
      changes,
      ...(durable ? { durable } : {}),
      fixes: [
        'Active users logged out at the original TTL because their sessions are not refreshed on access (Scenario 3).',
      ],
      doesNotFix: [
        'A refresh that the code does not implement (refresh_session must call EXPIRE): ' +
          'check the code if TTLs still do not refresh.',
        'Sessions evicted or deleted before their TTL (Scenarios 1 and 4).',
      ],
      risks: [
        'The app pods restart one by one.',
        'Sessions of active users live longer: they expire only after the TTL without access.',
      ],
      warnings,
      noop: changes.length === 0,
    };
  },

  apply: (ctx, plan) => runChanges(ctx, plan.changes, { rolloutTimeoutMs: rolloutTimeoutMs(plan.params) }),
  revert: (ctx, record) => revertChanges(ctx, record, { rolloutTimeoutMs: 300_000 }),
};
