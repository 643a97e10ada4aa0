import { duration } from '../../../../core/format.js';
import { z } from 'zod';
import type { Config } from '../../../../config/config.js';
import type { Subcommand } from './subcommands.js';

function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'invalid URL';
  }
}

/** `/session-ttl envs`: the configured environments and what they expect. */
export function envsCommand(deps: { config: Config }): Subcommand<void> {
  return {
    name: 'envs',
    usage: 'envs',
    summary: 'List the environments I can diagnose',
    params: z
      .array(z.string())
      .max(0, '`envs` takes no arguments')
      .transform(() => undefined),
    async run(_params, ctx) {
      const lines = Object.values(deps.config.environments).map(
        (e) =>
          `• \`${e.name}\` — ${e.profile}, expected TTL ${duration(e.expectedTtlSeconds)}, sliding window ${e.slidingWindow ? 'on' : 'off'}, Redis ${redisAddress(e.redis.url)}${e.kubernetes ? '' : ', no Kubernetes source'}`,
      );
      await ctx.ack(['*Environments*', ...lines].join('\n'));
    },
  };
}
