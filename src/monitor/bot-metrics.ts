import { Counter, Histogram, type Registry } from 'prom-client';
import type { Check } from '../diagnostics/types.js';

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Error kinds kept as label values (typed errors carry `kind`); anything else is `other`. */
const KIND = /^[a-z][a-z_]{0,31}$/;

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** The bot's own series: command and check latency, check errors by kind, Slack API errors. */
export function botMetrics(registry: Registry) {
  const registers = [registry];
  return {
    commandLatency: once(
      registry,
      'session_ttl_bot_command_duration_seconds',
      () =>
        new Histogram({
          name: 'session_ttl_bot_command_duration_seconds',
          help: 'Time to answer a /session-ttl subcommand',
          labelNames: ['command'],
          buckets: LATENCY_BUCKETS,
          registers,
        }),
    ),
    checkLatency: once(
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
    checkErrors: once(
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
    slackApiErrors: once(
      registry,
      'session_ttl_bot_slack_api_errors_total',
      () =>
        new Counter({
          name: 'session_ttl_bot_slack_api_errors_total',
          help: 'Slack Web API calls that failed, by error code',
          labelNames: ['code'],
          registers,
        }),
    ),
  };
}
export type BotMetrics = ReturnType<typeof botMetrics>;

/** The error kind of a typed error (`RedisSourceError`, `ClusterError`), bounded; else `other`. */
export function errorKind(err: unknown): string {
  const kind = (err as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && KIND.test(kind) ? kind : 'other';
}

/**
 * The checks, each timed into `session_ttl_bot_check_duration_seconds` and its failures counted by kind.
 * The composition root passes the result to `createCheckRegistry`.
 *
 * @example
 * createCheckRegistry(instrumentChecks(allChecks, botMetrics(registry)))
 */
export function instrumentChecks(checks: readonly Check[], metrics: BotMetrics): Check[] {
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
