import { RedisAdminError } from '../adapters/redis/redis-admin.js';
import { ClusterError } from '../core/ports/cluster.js';
import { RedisSourceError } from '../core/ports/redis-source-error.js';
import { type Config, environmentOf } from '../config/config.js';
import { isActionId, ACTION_IDS } from '../core/action-ids.js';
import { UserError } from '../core/errors.js';
import type { OpenActionContext } from '../remediation/service.js';
import { planMessage } from '../remediation/plan-message.js';
import { createActionRegistry } from '../remediation/actions/index.js';
import { toTerminal } from '../render/terminal.js';
import type { EnvironmentConfig } from '../config/config.js';
import type { CliIo } from './io.js';

export interface FixArgs {
  envName: string;
  action: string;
  /** `key=value` pairs from --param. */
  params: readonly string[];
  dryRun: boolean;
  json: boolean;
}

export interface FixDeps {
  config: Config;
  io: CliIo;
  openContext(env: EnvironmentConfig): OpenActionContext;
}

/** `--param policy=allkeys-lru --param percentage=100`: numbers stay numbers. */
function parseParams(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const m = /^([A-Za-z][\w]*)=(.*)$/.exec(p);
    if (!m) throw new UserError(`--param expects key=value, got "${p}"`, 'usage');
    const [, key, value] = m as unknown as [string, string, string];
    out[key] = /^\d+$/.test(value) && key !== 'maxmemory' && key !== 'minSize' ? Number(value) : value;
  }
  return out;
}

/**
 * `session-ttl fix <env> <action> --dry-run`: prints the preview the Slack modal shows (the exact
 * changes, what it fixes and what it does not, the risks). Only reads. Applying is done in Slack, where
 * the access policy, approvals and the audit apply.
 */
export async function fixCommand(deps: FixDeps, args: FixArgs): Promise<number> {
  if (!args.dryRun) {
    throw new UserError(
      'fix only previews from the terminal: add --dry-run. Changes are applied from Slack, where the access policy, approvals and the audit apply.',
      'usage',
    );
  }
  const env = environmentOf(deps.config, args.envName);
  if (!isActionId(args.action))
    throw new UserError(`Unknown action "${args.action}". Valid actions: ${ACTION_IDS.join(', ')}.`, 'unknown_action');
  const action = createActionRegistry().get(args.action);
  if (!action) throw new UserError(`Unknown action "${args.action}".`, 'unknown_action');
  const open = deps.openContext(env);
  try {
    const parsed = action.params.safeParse({
      ...(action.suggest ? await action.suggest(open.ctx) : {}),
      ...parseParams(args.params),
    });
    if (!parsed.success) {
      throw new UserError(
        `Invalid parameters for ${action.id}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')}`,
        'usage',
      );
    }
    let plan;
    try {
      plan = await action.plan(open.ctx, parsed.data);
    } catch (err) {
      // A source that fails (Redis down, a 403) is a message for the person, not a stack trace.
      if (err instanceof RedisAdminError || err instanceof ClusterError || err instanceof RedisSourceError) {
        throw new UserError(`Could not prepare the preview of ${action.id} in ${env.name}: ${err.message}`, 'source');
      }
      throw err;
    }
    deps.io.stdout.write(
      args.json
        ? `${JSON.stringify(plan, null, 2)}\n`
        : `${toTerminal(planMessage(plan, { title: action.title, dryRun: true }), { color: deps.io.color })}\n`,
    );
    return 0;
  } finally {
    await open.close();
  }
}
