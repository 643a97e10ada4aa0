import { Registry } from 'prom-client';
import { keyspaceFeedOpener } from '../../src/adapters/redis/keyspace-feed.js';
import { memoryStateStore } from '../../src/adapters/state/memory-state-store.js';
import type { Config } from '../../src/config/config.js';
import { createHost } from '../../src/host/host.js';
import { createMetricsFeature, type MetricsFeature } from '../../src/monitor/metrics-feature.js';
import { captureLogs, type CapturedLogs } from '../chat/slack/log-capture.js';
import { scrape } from '../monitor/scrape.js';

/** The session monitor of a config on a real host (`/metrics` over loopback HTTP), logs captured. */
export interface MonitorHost {
  metrics: MetricsFeature;
  logs: CapturedLogs;
  /** One sample of `/metrics`, for `environment` (0 when absent). */
  sample(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The monitor feature alone on a host, as `main.ts` registers it, with the monitor tuned for tests (no-TTL
 * grace 150 ms, tick 100 ms): what the monitor tests of a Cluster and of Sentinel (plain and TLS) watch.
 */
export async function startMonitorHost(config: Config, environment: string): Promise<MonitorHost> {
  const logs = captureLogs('info');
  const metrics = createMetricsFeature({
    config,
    registry: new Registry(),
    store: memoryStateStore(),
    openFeed: keyspaceFeedOpener({}),
    logger: logs.logger,
    replica: 'replica-a',
    processMetrics: false,
    monitorTuning: { noTtlGraceMs: 150, tickMs: 100 },
  });
  const host = createHost({
    features: [metrics.feature],
    logger: logs.logger,
    port: 0,
    hostname: '127.0.0.1',
    graceMs: 1000,
  });
  const { port } = await host.start();
  return {
    metrics,
    logs,
    sample: async (name, labels = {}) => (await scrape(port))(name, { environment, ...labels }),
    stop: async () => void (await host.stop()),
  };
}
