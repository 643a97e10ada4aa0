import { hostname } from 'node:os';
import { collectDefaultMetrics, type Registry } from 'prom-client';
import type { Config, EnvironmentConfig } from '../config/config.js';
import type { Feature } from '../core/feature.js';
import type { Logger } from '../core/logging.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import type { KeyspaceFeed } from '../core/ports/keyspace-events.js';
import { createEnvMonitor, type EnvMonitor, type EnvMonitorDeps } from './env-monitor.js';
import { monitorMetrics } from './metrics.js';
import { readMonitorStatus, type EnvStatus } from './monitor-status.js';

export interface MetricsFeatureDeps {
  config: Config;
  /** The `/metrics` registry, shared with the rest of the bot (never prom-client's global one). */
  registry: Registry;
  /** The state store: the monitors' leases and status snapshots (shared by replicas when in Redis). */
  store: CasStateStore;
  openFeed: (env: EnvironmentConfig) => KeyspaceFeed;
  logger: Logger;
  /** This replica's name; default the host name (the pod name in Kubernetes). */
  replica?: string;
  now?: () => number;
  /** Node's process metrics (CPU, memory, event loop lag, GC); default true. */
  processMetrics?: boolean;
  monitorTuning?: Pick<EnvMonitorDeps, 'noTtlGraceMs' | 'tickMs'>;
}

export interface MetricsFeature {
  feature: Feature;
  monitors: readonly EnvMonitor[];
  /** Every environment's monitor status, from the state store (whichever replica watches it). */
  status(env?: string): Promise<EnvStatus[]>;
}

/**
 * `GET /metrics` and the session lifetime monitor of every environment whose `monitor.enabled` is not
 * false (a worker per environment, each watching only while it holds the environment's lease), plus a
 * `monitor` readiness probe whose detail says what is not watched and why. Runs with or without Slack.
 */
export function createMetricsFeature(deps: MetricsFeatureDeps): MetricsFeature {
  const { registry, logger } = deps;
  const now = deps.now ?? Date.now;
  const replica = deps.replica ?? hostname();
  if (deps.processMetrics !== false && !registry.getSingleMetric('process_cpu_seconds_total'))
    collectDefaultMetrics({ register: registry });
  const metrics = monitorMetrics(registry);
  const monitors = Object.values(deps.config.environments)
    .filter((env) => env.monitor.enabled)
    .map((env) =>
      createEnvMonitor({
        env,
        openFeed: () => deps.openFeed(env),
        store: deps.store,
        replica,
        metrics,
        logger,
        now,
        ...deps.monitorTuning,
      }),
    );
  const status = (env?: string) =>
    readMonitorStatus({ config: deps.config, store: deps.store, now, ...(env ? { env } : {}) });

  const feature: Feature = {
    name: 'metrics',
    register(host) {
      host.route({
        method: 'GET',
        path: '/metrics',
        async handle(_req, res) {
          const body = await registry.metrics();
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        },
      });
      for (const m of monitors) host.worker({ name: `monitor:${m.env}`, start: () => m.start(), stop: () => m.stop() });
      // Ready either way: a store without notifications must not take Slack replies out of service; the
      // detail says what to change.
      host.readiness('monitor', () => {
        const problems = monitors.flatMap((m) => {
          const s = m.health();
          if (s.state === 'unreachable') return [`${s.env}: cannot subscribe (${s.lastError ?? 'unknown error'})`];
          if (s.state === 'watching' && s.notify && !s.notify.ok) return [`${s.env}: ${s.notify.message}`];
          return [];
        });
        const watching = monitors.filter((m) => m.health().state === 'watching').map((m) => m.env);
        const summary = `watching ${watching.length ? watching.join(', ') : 'nothing'} on this replica (${replica})`;
        return { ok: true, detail: problems.length ? `${problems.join('; ')}; ${summary}` : summary };
      });
    },
  };
  return { feature, monitors, status };
}
