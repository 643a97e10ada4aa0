import { Histogram, type Registry } from 'prom-client';
import { registeredOnce } from '../core/metric-once.js';

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** How long commands take, whichever front end they came from. */
export interface CommandMetrics {
  /** `command` is a registered name or `unknown`: typed text never becomes a label value. */
  observe(command: string, seconds: number): void;
}

/** `session_ttl_bot_command_duration_seconds{command}` on the `/metrics` registry. */
export function commandMetrics(registry: Registry): CommandMetrics {
  const name = 'session_ttl_bot_command_duration_seconds';
  const histogram = registeredOnce(
    registry,
    name,
    () =>
      new Histogram({
        name,
        help: 'Time to answer a command (typed or a button), by command',
        labelNames: ['command'],
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      }),
  );
  return { observe: (command, seconds) => histogram.observe({ command }, seconds) };
}
