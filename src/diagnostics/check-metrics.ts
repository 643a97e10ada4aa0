import { Counter, Histogram, type Registry } from 'prom-client';
import { registeredOnce } from '../core/metric-once.js';
import type { Check } from './types.js';

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Error kinds kept as label values (typed errors carry `kind`); anything else is `other`. */
const KIND = /^[a-z][a-z_]{0,31}$/;

/** The checks' series: how long each took, and its failures by error kind. */
export function checkMetrics(registry: Registry) {
  const registers = [registry];
  return {
    checkLatency: registeredOnce(
      registry,
      'session_ttl_bot_check_duration_seconds',
      () =>
        new Histogram({
          name: 'session_ttl_bot_check_duration_seconds',
          help: 'Time a diagnostic check took',
          labelNames: ['check'],
          buckets: LATENCY_BUCKETS,
          registers,
        }),
    ),
    checkErrors: registeredOnce(
      registry,
      'session_ttl_bot_check_errors_total',
      () =>
        new Counter({
          name: 'session_ttl_bot_check_errors_total',
          help: 'Checks that failed, by check and error kind (unreachable, auth, no_permission, timeout, ...)',
          labelNames: ['check', 'kind'],
          registers,
        }),
    ),
  };
}
export type CheckMetrics = ReturnType<typeof checkMetrics>;

/** The error kind of a typed error (`RedisSourceError`, `ClusterError`), bounded; else `other`. */
export function errorKind(err: unknown): string {
  const kind = err instanceof Error && 'kind' in err ? err.kind : undefined;
  return typeof kind === 'string' && KIND.test(kind) ? kind : 'other';
}

/**
 * The checks, each timed into `session_ttl_bot_check_duration_seconds` and its failures counted by kind.
 * The composition root passes the result to `createCheckRegistry`.
 *
 * @example
 * createCheckRegistry(instrumentChecks(allChecks, checkMetrics(registry)))
 */
export function instrumentChecks(checks: readonly Check[], metrics: CheckMetrics): Check[] {
  return checks.map((check) => ({
    ...check,
    async run(ctx) {
      const end = metrics.checkLatency.startTimer({ check: check.id });
      try {
        return await check.run(ctx);
      } catch (err) {
        metrics.checkErrors.inc({ check: check.id, kind: errorKind(err) });
        throw err;
      } finally {
        end();
      }
    },
  }));
}
