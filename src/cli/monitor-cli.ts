import { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { UserError } from '../core/errors.js';
import { createLogger } from '../core/logging.js';
import type { CliIo } from './io.js';
import { monitorCommand } from './monitor-command.js';
import { runStatusCli } from './status-cli.js';

/** `session-ttl monitor` (runs until SIGTERM / SIGINT) and `session-ttl status [env]`. */
export async function runMonitorCli(
  command: 'monitor' | 'status',
  args: string[],
  config: Config,
  io: CliIo,
): Promise<number> {
  const logger = createLogger({ level: command === 'monitor' ? 'info' : 'warn' });
  if (command === 'status') {
    if (args.length > 1)
      throw new UserError(`status takes at most an environment name, got "${args.join(' ')}"`, 'usage');
    return runStatusCli({ config, io, logger }, args[0]);
  }
  if (args.length) throw new UserError(`monitor takes no arguments, got "${args.join(' ')}"`, 'usage');
  const until = new Promise((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  return monitorCommand({ config, processEnv: io.env, logger, registry: new Registry(), until });
}
