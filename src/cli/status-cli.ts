import { stateRedisTlsOrThrow } from '../config/state-redis-tls.js';
import { openStateStore } from '../adapters/state/open-state-store.js';
import { type Config, environmentOf } from '../config/config.js';
import type { Logger } from '../core/logging.js';
import { readMonitorStatus } from '../monitor/monitor-status.js';
import { statusLines } from '../monitor/status-text.js';
import type { CliIo } from './io.js';

/**
 * `session-ttl status [env]`: what the monitor reported, read from the bot's state Redis (STATE_REDIS_URL),
 * where the replica watching each environment writes its status. Without it, there is nothing to read.
 */
export async function runStatusCli(
  deps: { config: Config; io: CliIo; logger: Logger },
  envName: string | undefined,
): Promise<number> {
  if (envName) environmentOf(deps.config, envName);
  const url = deps.io.env.STATE_REDIS_URL || undefined;
  if (!url) {
    deps.io.stderr.write(
      "session-ttl: status reads the monitor's reports from the bot's state Redis: set STATE_REDIS_URL as the bot has it\n",
    );
    return 2;
  }
  const tls = stateRedisTlsOrThrow(deps.io.env);
  const state = openStateStore({ url, logger: deps.logger, ...(tls ? { tls } : {}) });
  try {
    const statuses = await readMonitorStatus({
      config: deps.config,
      store: state.store,
      now: Date.now,
      ...(envName ? { env: envName } : {}),
    });
    deps.io.stdout.write(`${statusLines(statuses).join('\n')}\n`);
    return 0;
  } finally {
    await state.close();
  }
}
