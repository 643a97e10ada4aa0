import { Counter, type Registry } from 'prom-client';
import { registeredOnce } from '../../core/metric-once.js';

/** The Slack front end's series: Slack Web API errors by code (command latency is the dispatcher's). */
export function slackMetrics(registry: Registry) {
  return {
    slackApiErrors: registeredOnce(
      registry,
      'session_ttl_bot_slack_api_errors_total',
      () =>
        new Counter({
          name: 'session_ttl_bot_slack_api_errors_total',
          help: 'Slack Web API calls that failed, by error code',
          labelNames: ['code'],
          registers: [registry],
        }),
    ),
  };
}
export type SlackMetrics = ReturnType<typeof slackMetrics>;
