import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The runbook's buckets for `session_actual_lifetime_seconds` (5 min to 24 h). */
export const LIFETIME_BUCKETS = [300, 600, 1800, 3600, 7200, 14400, 28800, 86400];

export const VIOLATION_REASONS = ['evicted', 'deleted', 'early_expiration', 'no_ttl', 'short_ttl'] as const;
export type ViolationReason = (typeof VIOLATION_REASONS)[number];

/** Event names counted by `session_monitor_events_total`; anything else is `other` (labels stay bounded). */
export const COUNTED_EVENTS = ['set', 'setex', 'expire', 'persist', 'expired', 'evicted', 'del', 'unlink'] as const;

type Env = 'environment';

/** Every series of the monitor. Labels: the environment and a reason or event name, never a key. */
export interface MonitorMetrics {
  lifetime: Histogram<Env>;
  violations: Counter<Env | 'reason'>;
  events: Counter<Env | 'event'>;
  tracked: Gauge<Env>;
  sampleRate: Gauge<Env>;
  lag: Gauge<Env>;
  gaps: Counter<Env>;
  gapSeconds: Counter<Env>;
  /** Per node of a Redis Cluster (the masters that lacked a subscriber); bounded by `nodeLabel`. */
  nodeGaps: Counter<Env | 'node'>;
  nodeGapSeconds: Counter<Env | 'node'>;
  leaseHeld: Gauge<Env>;
  notificationsOk: Gauge<Env>;
  /** The environment's expected session TTL (config), beside the lifetimes on a dashboard. */
  expectedTtl: Gauge<Env>;
}

/** Distinct `node` label values per environment; later nodes are counted as `other` (labels stay bounded). */
export const MAX_NODE_LABELS = 32;

type MetricClass<M> = abstract new (...args: never[]) => M;

/** The metric already registered under `name` when it is of that class (a second monitor shares the series). */
function registered<M>(registry: Registry, name: string, kind: MetricClass<M>): M | undefined {
  const metric = registry.getSingleMetric(name);
  return metric instanceof kind ? metric : undefined;
}

function lifetimeHistogram(registry: Registry): Histogram<Env> {
  const name = 'session_actual_lifetime_seconds';
  return (
    registered<Histogram<Env>>(registry, name, Histogram) ??
    new Histogram({
      name,
      help: 'Actual session lifetime before expiration (from the first write seen to its end)',
      labelNames: ['environment'],
      buckets: LIFETIME_BUCKETS,
      registers: [registry],
    })
  );
}

/** Every series of the monitor on `registry`, registered once per registry. */
export function monitorMetrics(registry: Registry): MonitorMetrics {
  const registers = [registry];
  const env = ['environment'] as const;
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    registered<Counter<L>>(registry, name, Counter) ?? new Counter({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    registered<Gauge<L>>(registry, name, Gauge) ?? new Gauge({ name, help, labelNames, registers });
  return {
    lifetime: lifetimeHistogram(registry),
    violations: counter(
      'session_ttl_violations_total',
      'Sessions that ended or were written against the expected TTL, by reason',
      ['environment', 'reason'],
    ),
    events: counter('session_monitor_events_total', 'Keyspace notifications handled by the session monitor, by event', [
      'environment',
      'event',
    ]),
    tracked: gauge('session_monitor_tracked_sessions', 'Sessions the monitor currently remembers', env),
    sampleRate: gauge(
      'session_monitor_sample_rate',
      'Share of new sessions tracked (1 until the cap; divide counts by it to scale)',
      env,
    ),
    lag: gauge(
      'session_monitor_lag_seconds',
      'Time from a write notification to its TTL being read (the last batch)',
      env,
    ),
    gaps: counter(
      'session_monitor_gaps_total',
      'Times the keyspace subscription dropped (notifications lost until it came back)',
      env,
    ),
    gapSeconds: counter('session_monitor_gap_seconds_total', 'Seconds without a keyspace subscription', env),
    nodeGaps: counter(
      'session_monitor_node_gaps_total',
      'Gaps in which this Redis Cluster master had no keyspace subscriber (failover, resharding, a dropped connection)',
      ['environment', 'node'],
    ),
    nodeGapSeconds: counter(
      'session_monitor_node_gap_seconds_total',
      'Seconds of the gaps in which this Redis Cluster master had no keyspace subscriber',
      ['environment', 'node'],
    ),
    leaseHeld: gauge('session_monitor_lease_held', '1 when this replica watches the environment', env),
    notificationsOk: gauge(
      'session_monitor_notifications_ok',
      '1 when notify-keyspace-events has what the monitor needs, 0 when not, -1 when it cannot be read',
      env,
    ),
    expectedTtl: gauge(
      'session_expected_ttl_seconds',
      "The session TTL the environment's config expects (what a lifetime is judged against)",
      env,
    ),
  };
}

/**
 * Creates every known series of an environment at 0: the violations by reason, the events by name (and
 * `other`), the gap counters and the lifetime histogram. A counter that first appears at its first
 * increment is invisible to `rate()`/`increase()` for that increment (Prometheus has no earlier sample
 * to compare with), so a burst right after a start would fire nothing.
 */
export function zeroMonitorSeries(metrics: MonitorMetrics, environment: string, expectedTtlSeconds: number): void {
  metrics.expectedTtl.set({ environment }, expectedTtlSeconds);
  for (const reason of VIOLATION_REASONS) metrics.violations.inc({ environment, reason }, 0);
  for (const event of [...COUNTED_EVENTS, 'other']) metrics.events.inc({ environment, event }, 0);
  metrics.gaps.inc({ environment }, 0);
  metrics.gapSeconds.inc({ environment }, 0);
  metrics.lifetime.zero({ environment });
}
