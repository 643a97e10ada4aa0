import { z } from 'zod';
import { type Config, environmentOf } from '../../../../config/config.js';
import type { EnvStatus } from '../../../../monitor/monitor-status.js';
import { statusLines } from '../../../../monitor/status-text.js';
import type { Subcommand } from './subcommands.js';

/**
 * `/session-ttl status [env]`: the session monitor of each environment (tracked sessions, violations by
 * reason in the last hour, lifetime percentiles, notification setting, which replica holds the lease).
 */
export function statusCommand(deps: {
  config: Config;
  status: (env?: string) => Promise<EnvStatus[]>;
}): Subcommand<string | undefined> {
  return {
    name: 'status',
    usage: 'status [env]',
    summary: 'Session monitor: tracked sessions, violations in the last hour, lifetimes, notifications',
    params: z
      .array(z.string())
      .max(1, '`status` takes at most an environment name')
      .transform((a) => a[0]),
    async run(env, ctx) {
      if (env) environmentOf(deps.config, env);
      await ctx.ack(['*Session monitor*', ...statusLines(await deps.status(env))].join('\n'));
    },
  };
}
