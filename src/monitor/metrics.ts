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
}

/** Distinct `node` label values per environment; later nodes are counted as `other` (labels stay bounded). */
export const MAX_NODE_LABELS = 32;

/** A metric registered once per registry: a second monitor on the same registry shares the series. */
function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function monitorMetrics(registry: Registry): MonitorMetrics {
  const registers = [registry];
  const env = ['environment'] as const;
  return {
    lifetime: once(
      registry,
      'session_actual_lifetime_seconds',
      () =>
        new Histogram({
          name: 'session_actual_lifetime_seconds',
          help: 'Actual session lifetime before expiration (from the first write seen to its end)',
          labelNames: env,
          buckets: LIFETIME_BUCKETS,
          registers,
        }),
    ),
    violations: once(
      registry,
      'session_ttl_violations_total',
      () =>
        new Counter({
          name: 'session_ttl_violations_total',
          help: 'Sessions that ended or were written against the expected TTL, by reason',
          labelNames: ['environment', 'reason'],
          registers,
        }),
    ),
    events: once(
      registry,
      'session_monitor_events_total',
      () =>
        new Counter({
          name: 'session_monitor_events_total',
          help: 'Keyspace notifications handled by the session monitor, by event',
          labelNames: ['environment', 'event'],
          registers,
        }),
    ),
    tracked: once(
      registry,
      'session_monitor_tracked_sessions',
      () =>
        new Gauge({
          name: 'session_monitor_tracked_sessions',
          help: 'Sessions the monitor currently remembers',
          labelNames: env,
          registers,
        }),
    ),
    sampleRate: once(
      registry,
      'session_monitor_sample_rate',
      () =>
        new Gauge({
          name: 'session_monitor_sample_rate',
          help: 'Share of new sessions tracked (1 until the cap; divide counts by it to scale)',
          labelNames: env,
          registers,
        }),
    ),
    lag: once(
      registry,
      'session_monitor_lag_seconds',
      () =>
        new Gauge({
          name: 'session_monitor_lag_seconds',
          help: 'Time from a write notification to its TTL being read (the last batch)',
          labelNames: env,
          registers,
        }),
    ),
    gaps: once(
      registry,
      'session_monitor_gaps_total',
      () =>
        new Counter({
          name: 'session_monitor_gaps_total',
          help: 'Times the keyspace subscription dropped (notifications lost until it came back)',
          labelNames: env,
          registers,
        }),
    ),
    gapSeconds: once(
      registry,
      'session_monitor_gap_seconds_total',
      () =>
        new Counter({
          name: 'session_monitor_gap_seconds_total',
          help: 'Seconds without a keyspace subscription',
          labelNames: env,
          registers,
        }),
    ),
    nodeGaps: once(
      registry,
      'session_monitor_node_gaps_total',
      () =>
        new Counter({
          name: 'session_monitor_node_gaps_total',
          help: 'Gaps in which this Redis Cluster master had no keyspace subscriber (failover, resharding, a dropped connection)',
          labelNames: ['environment', 'node'],
          registers,
        }),
    ),
    nodeGapSeconds: once(
      registry,
      'session_monitor_node_gap_seconds_total',
      () =>
        new Counter({
          name: 'session_monitor_node_gap_seconds_total',
          help: 'Seconds of the gaps in which this Redis Cluster master had no keyspace subscriber',
          labelNames: ['environment', 'node'],
          registers,
        }),
    ),
    leaseHeld: once(
      registry,
      'session_monitor_lease_held',
      () =>
        new Gauge({
          name: 'session_monitor_lease_held',
          help: '1 when this replica watches the environment',
          labelNames: env,
          registers,
        }),
    ),
    notificationsOk: once(
      registry,
      'session_monitor_notifications_ok',
      () =>
        new Gauge({
          name: 'session_monitor_notifications_ok',
          help: '1 when notify-keyspace-events has what the monitor needs, 0 when not, -1 when it cannot be read',
          labelNames: env,
          registers,
        }),
    ),
  };
}
