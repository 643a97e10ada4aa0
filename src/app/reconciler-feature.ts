import { reconcileOnce, type ReconcileDeps } from '../commands/fix/index.js';
import type { Feature } from '../core/feature.js';

/**
 * The reconciler on the host, on every replica: a look at start-up, then every `everyMs`, for applies
 * whose replica died (their lease expired). One look at a time; a look in flight is drained at shutdown.
 */
export function reconcilerFeature(deps: ReconcileDeps, everyMs: number): Feature {
  return {
    name: 'remediation-reconciler',
    register(host) {
      let timer: NodeJS.Timeout | undefined;
      let looking = false;
      const look = () => {
        if (looking) return;
        looking = true;
        host.work.track(
          reconcileOnce(deps).finally(() => (looking = false)),
          (err: unknown) => deps.logger.error({ err }, 'remediation reconciler: a look failed'),
        );
      };
      host.worker({
        name: 'remediation-reconciler',
        async start() {
          look();
          timer = setInterval(look, everyMs);
          timer.unref();
        },
        async stop() {
          clearInterval(timer);
        },
      });
    },
  };
}
