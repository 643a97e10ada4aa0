import type { HostContext } from '../core/feature.js';

/**
 * A look at start-up, then every `everyMs`, as a worker of the host: one look at a time (a tick while one
 * runs is skipped), each look tracked as in-flight work so that shutdown drains it, a failed look logged
 * with `onError` and the next tick tried as usual.
 *
 * @example
 * periodicWorker(host, {
 *   name: 'remediation-reconciler',
 *   everyMs: 15_000,
 *   look: () => reconcileOnce(deps),
 *   onError: (err) => logger.error({ err }, 'a look failed'),
 * });
 */
export function periodicWorker(
  host: Pick<HostContext, 'work' | 'worker' | 'logger'>,
  o: { name: string; everyMs: number; look: () => Promise<unknown>; onError: (err: unknown) => void },
): void {
  let timer: NodeJS.Timeout | undefined;
  let looking = false;
  const look = () => {
    if (looking) return;
    looking = true;
    host.work.track(
      o.look().finally(() => (looking = false)),
      o.onError,
    );
  };
  host.worker({
    name: o.name,
    async start() {
      look();
      timer = setInterval(look, o.everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  });
}
