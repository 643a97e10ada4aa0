import { stateRedisTlsOrThrow } from '../config/state-redis-tls.js';
import type { Registry } from 'prom-client';
import { openStateStore } from '../adapters/state/open-state-store.js';
import type { Config } from '../config/config.js';
import { UserError } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import { createHost, type Feature } from '../host/host.js';
import { monitorFeatureFor } from '../app/monitor-feature.js';

export interface MonitorCommandDeps {
  config: Config;
  processEnv: NodeJS.ProcessEnv;
  logger: Logger;
  registry: Registry;
  /** Resolves when the command should stop (SIGTERM / SIGINT in the terminal). */
  until: Promise<unknown>;
  hostname?: string;
  onListening?: (port: number) => void;
}

/**
 * `session-ttl monitor`: the session lifetime monitor and `/metrics`, `/healthz`, `/readyz` on `PORT`
 * (default 3000), without Slack: no token needed. State (leases) in STATE_REDIS_URL when set.
 */
export async function monitorCommand(deps: MonitorCommandDeps): Promise<number> {
  const { logger } = deps;
  const port = Number(deps.processEnv.PORT || '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError('PORT must be a port number between 0 and 65535', 'usage');
  const tls = stateRedisTlsOrThrow(deps.processEnv);
  const state = openStateStore({ url: deps.processEnv.STATE_REDIS_URL || undefined, logger, ...(tls ? { tls } : {}) });
  const monitor = monitorFeatureFor({
    config: deps.config,
    registry: deps.registry,
    store: state.store,
    processEnv: deps.processEnv,
    logger,
  });
  const closing: Feature = { name: 'close-state', register: (host) => host.onClose(state.close) };
  const host = createHost({
    features: [monitor.feature, closing],
    logger,
    port,
    ...(deps.hostname ? { hostname: deps.hostname } : {}),
  });
  const started = await host.start();
  logger.info(
    { port: started.port, environments: monitor.monitors.map((m) => m.env) },
    'session monitor listening (/metrics, /healthz, /readyz)',
  );
  deps.onListening?.(started.port);
  await deps.until;
  logger.info('shutting down the session monitor');
  const { drained } = await host.stop();
  return drained ? 0 : 1;
}
