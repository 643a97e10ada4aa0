import { Counter, Histogram, type Registry } from 'prom-client';
import { registeredOnce } from '../../core/metric-once.js';

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The Slack front end's series: how long a command took to answer, and Slack Web API errors. */
export function slackMetrics(registry: Registry) {
  const registers = [registry];
  return {
    commandLatency: registeredOnce(
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
    slackApiErrors: registeredOnce(
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
export type SlackMetrics = ReturnType<typeof slackMetrics>;
