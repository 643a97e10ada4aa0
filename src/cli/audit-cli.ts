import { stateRedisTlsOrThrow } from '../config/state-redis-tls.js';
import { Registry } from 'prom-client';
import { openStateStore } from '../adapters/state/open-state-store.js';
import { AUDIT_CONTEXT } from '../commands/audit.js';
import { auditView } from '../commands/audit-view.js';
import { type Config, environmentOf } from '../config/config.js';
import { UserError } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import { createAudit } from '../remediation/audit.js';
import { toTerminal } from '../render/terminal.js';
import type { CliIo } from './io.js';

/** `[count]` of `audit <env> [count]`: 1 to 100, default 10 (as `/session-ttl audit`). */
export function auditCount(text: string | undefined): number {
  if (text === undefined) return 10;
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > 100)
    throw new UserError(`the count is a whole number from 1 to 100, got "${text}"`, 'usage');
  return Number(text);
}

/**
 * `session-ttl audit <env> [count]`: the newest remediation audit entries of an environment, read from the
 * bot's state Redis (STATE_REDIS_URL), where the bot appends them: each change's before -> after, who
 * requested and who approved it. `--json` prints the entries as stored.
 */
export async function runAuditCli(
  deps: { config: Config; io: CliIo; logger: Logger },
  args: { envName: string; count: number; json: boolean },
): Promise<number> {
  const { io } = deps;
  const env = environmentOf(deps.config, args.envName);
  const url = io.env.STATE_REDIS_URL || undefined;
  if (!url) {
    io.stderr.write(
      "session-ttl: audit reads the remediation audit from the bot's state Redis: set STATE_REDIS_URL as the bot has it\n",
    );
    return 2;
  }
  const tls = stateRedisTlsOrThrow(io.env);
  const state = openStateStore({ url, logger: deps.logger, ...(tls ? { tls } : {}) });
  try {
    const audit = createAudit({
      streams: state.streams,
      logger: deps.logger,
      registry: new Registry(),
      now: Date.now,
      environments: Object.keys(deps.config.environments),
    });
    const context = await audit.recent(env.name, args.count + AUDIT_CONTEXT).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      throw new UserError(`could not read the audit from the state Redis (STATE_REDIS_URL): ${why}`, 'source');
    });
    const entries = context.slice(0, args.count);
    io.stdout.write(
      args.json
        ? `${JSON.stringify(entries, null, 2)}\n`
        : toTerminal(auditView(env.name, entries, context), { color: io.color }),
    );
    return 0;
  } finally {
    await state.close();
  }
}
