import type { Config } from '../config/config.js';
import { DEMO_ENV, startDemoStore } from '../demo/demo-store.js';
import type { CliIo } from './io.js';

/** The config a command runs with, and what to stop when it is done. */
export interface ConfigHandle {
  config: Config;
  close: () => Promise<void>;
}

/**
 * `diagnose demo`, `verify demo`, `fix demo …` where the config has no environment `demo` (or there is no
 * config file at all, as right after `npm run demo`): a throwaway redis-server seeded like `session-ttl
 * demo`, stopped by `close`. `churn` keeps Redis evicting while the command runs, as the demo does.
 */
export async function demoConfig(opts: {
  io: CliIo;
  /** Why the file's config is not used: named on stderr. */
  why: string;
  churn?: boolean;
  sessions?: number;
}): Promise<ConfigHandle> {
  opts.io.stderr.write(
    `session-ttl: ${opts.why}: using the built-in ${DEMO_ENV} environment, a throwaway redis-server seeded as ` +
      '`session-ttl demo` does (stopped afterwards).\n',
  );
  const store = await startDemoStore(opts.sessions ? { sessions: opts.sessions } : {});
  const churn = opts.churn ? store.churn() : undefined;
  return {
    config: store.config,
    close: async () => {
      await churn?.stop();
      await store.stop();
    },
  };
}
