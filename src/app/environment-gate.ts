import type { EnvironmentConfig } from '../config/config.js';
import { UserError } from '../core/errors.js';
import { createKeyedLimiter, type KeyedLimiterOptions } from '../core/keyed-limiter.js';
import type { Sources } from '../diagnostics/engine.js';

/** How many diagnoses of one environment may wait for a slot before one more is refused. */
export const DEFAULT_QUEUED_PER_ENVIRONMENT = 8;

export type EnvironmentGateOptions = Pick<KeyedLimiterOptions, 'perKey' | 'global' | 'maxQueuedPerKey'>;

/**
 * The sources of each environment with an admission gate (`Sources.admit`, used by the engine around a
 * whole diagnosis): at most `perKey` diagnoses of one environment at a time (default 2), at most `global`
 * in all (default 8), the others of that environment wait in arrival order, and beyond `maxQueuedPerKey`
 * (default 8) one more is refused at once with words. A stalled environment only queues its own
 * diagnoses: each running one ends at its checks' timeout, and other environments keep their slots.
 */
export function gateEnvironments(
  sourcesFor: (env: EnvironmentConfig) => Sources,
  opts: EnvironmentGateOptions = {},
): (env: EnvironmentConfig) => Sources {
  const limiter = createKeyedLimiter({
    maxQueuedPerKey: DEFAULT_QUEUED_PER_ENVIRONMENT,
    ...opts,
    full: (env, running, queued) =>
      new UserError(
        `Environment "${env}" is busy: ${running} diagnos${running === 1 ? 'is is' : 'es are'} running and ` +
          `${queued} waiting. Its Redis or Kubernetes API may be slow or down (a running diagnosis ends at its ` +
          'check timeout); try again in a minute. Other environments are not affected.',
        'env_busy',
      ),
  });
  return (env) => ({ ...sourcesFor(env), admit: (work) => limiter.run(env.name, work) });
}
