import type { Registry } from 'prom-client';
import { keyspaceFeedOpener } from '../adapters/redis/keyspace-feed.js';
import type { Config } from '../config/config.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import type { Logger } from '../core/logging.js';
import { createMetricsFeature, type MetricsFeature } from '../monitor/metrics-feature.js';

/**
 * The monitor and `GET /metrics` over the environments' Redis (credentials from `processEnv`), for a
 * composition root: the bot (`main.ts`) and `session-ttl monitor` build it the same way.
 */
export function monitorFeatureFor(deps: {
  config: Config;
  registry: Registry;
  store: CasStateStore;
  processEnv: NodeJS.ProcessEnv;
  logger: Logger;
}): MetricsFeature {
  return createMetricsFeature({
    config: deps.config,
    registry: deps.registry,
    store: deps.store,
    openFeed: keyspaceFeedOpener(deps.processEnv),
    logger: deps.logger,
    ...(deps.processEnv.HOSTNAME ? { replica: deps.processEnv.HOSTNAME } : {}),
  });
}
