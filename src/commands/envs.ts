import { z } from 'zod';
import type { Config } from '../config/config.js';
import { duration } from '../core/format.js';
import { t, type Inline } from '../core/message.js';
import type { Command } from './context.js';
import { linesMessage } from './replies.js';

function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'invalid URL';
  }
}

/** `envs`: the configured environments and what they expect. */
export function envsCommand(deps: { config: Config }): Command<void> {
  return {
    name: 'envs',
    usage: 'envs',
    summary: 'List the environments I can diagnose',
    params: z
      .array(z.string())
      .max(0, '`envs` takes no arguments')
      .transform(() => undefined),
    async run() {
      const lines = Object.values(deps.config.environments).map((e): Inline => {
        const traits = [
          e.profile,
          `expected TTL ${duration(e.expectedTtlSeconds)}`,
          `sliding window ${e.slidingWindow ? 'on' : 'off'}`,
          e.redis.sentinel
            ? `Redis Sentinel master ${e.redis.sentinel.masterName} (${e.redis.sentinel.nodes.join(', ')})`
            : `Redis ${redisAddress(e.redis.url)}`,
          ...(e.kubernetes ? [] : ['no Kubernetes source']),
        ];
        return [t('• '), t(e.name, { code: true }), t(` — ${traits.join(', ')}`)];
      });
      return linesMessage([[t('Environments', { bold: true })], ...lines]);
    },
  };
}
