import { z } from 'zod';
import { type Config, environmentOf } from '../config/config.js';
import { t, type Inline } from '../core/message.js';
import type { EnvStatus } from '../monitor/monitor-status.js';
import { statusEntries } from '../monitor/status-text.js';
import type { Command } from './context.js';
import { linesMessage } from './replies.js';

/**
 * `status [env]`: the session monitor of each environment (tracked sessions, violations by reason in the
 * last hour, lifetime percentiles, notification setting, which replica holds the lease).
 */
export function statusCommand(deps: {
  config: Config;
  status: (env?: string) => Promise<EnvStatus[]>;
}): Command<string | undefined> {
  return {
    name: 'status',
    usage: 'status [env]',
    summary: 'Session monitor: tracked sessions, violations in the last hour, lifetimes, notifications',
    params: z
      .array(z.string())
      .max(1, '`status` takes at most an environment name')
      .transform((a) => a[0]),
    async run(env) {
      if (env) environmentOf(deps.config, env);
      // Details go on the lines under their environment's headline, indented.
      const entries = statusEntries(await deps.status(env)).map((e): Inline => [
        ...e.head,
        ...e.details.map((d) => t(`\n  ${d}`)),
      ]);
      return linesMessage([[t('Session monitor', { bold: true })], ...entries]);
    },
  };
}
