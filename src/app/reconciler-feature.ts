import { reconcileOnce, type ReconcileDeps } from '../commands/fix/index.js';
import type { Feature } from '../core/feature.js';
import { periodicWorker } from './periodic-worker.js';

/**
 * The reconciler on the host, on every replica: a look at start-up, then every `everyMs`, for applies
 * whose replica died (their lease expired). One look at a time; a look in flight is drained at shutdown.
 */
export function reconcilerFeature(deps: ReconcileDeps, everyMs: number): Feature {
  return {
    name: 'remediation-reconciler',
    register(host) {
      periodicWorker(host, {
        name: 'remediation-reconciler',
        everyMs,
        look: () => reconcileOnce(deps),
        onError: (err) => deps.logger.error({ err }, 'remediation reconciler: a look failed'),
      });
    },
  };
}
