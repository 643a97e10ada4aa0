import { RedisAdminError } from '../adapters/redis/redis-admin.js';
import { ClusterError } from '../core/ports/cluster.js';
import { RedisSourceError } from '../core/ports/redis-source-error.js';
import { type Config, type EnvironmentConfig, environmentOf } from '../config/config.js';
import { UserError } from '../core/errors.js';
import type { Input } from '../core/message.js';
import type { ActionRegistry } from '../remediation/actions/index.js';
import { managedFix } from '../remediation/managed/managed-fix.js';
import { planAction, type Planned } from '../remediation/plan-action.js';
import { planForm } from '../remediation/plan-form.js';
import type { OpenActionContext } from '../remediation/service.js';
import type { ActionContext, RemediationAction } from '../remediation/types.js';
import { toTerminal } from '../render/terminal.js';
import { checkGivenParams, printManagedFix } from './fix-managed.js';
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
  /** The action registry (checked at start-up): the actions `fix` knows. */
  actions: ActionRegistry;
}

/** The terminal only previews: without --dry-run, says where changes are applied. */
export function requireDryRun(dryRun: boolean): void {
  if (!dryRun) {
    throw new UserError(
      'fix only previews from the terminal: add --dry-run. Changes are applied from Slack, where the access policy, approvals and the audit apply.',
      'usage',
    );
  }
}

/** How one input is set from the terminal: `--param target=app|redis`, `--param percentage=N (0 to 10000)`. */
export function paramFlag(i: Input): string {
  if (i.kind === 'select') return `--param ${i.name}=${i.options.join('|')}`;
  if (i.kind === 'number') {
    const range = i.min !== undefined || i.max !== undefined ? ` (${i.min ?? '…'} to ${i.max ?? '…'})` : '';
    return `--param ${i.name}=N${range}`;
  }
  return `--param ${i.name}=VALUE (${i.label})`;
}

/** The parameters an action takes (less `except`), as flags, for an error message. */
function validParams(action: RemediationAction, except: readonly Input[] = []): string {
  if (!action.inputs.length) return `${action.id} takes no parameters (no --param).`;
  const rest = action.inputs.filter((i) => !except.includes(i));
  if (!rest.length) return '';
  return `${except.length ? 'Its other parameters' : 'Its parameters'}: ${rest.map(paramFlag).join(', ')}.`;
}

/**
 * `--param policy=allkeys-lru --param percentage=100`: strings, as a form gives them; the action's schema
 * parses them. A pair that is not KEY=VALUE, or a key the action does not take, is refused with its flags.
 */
function parseParams(action: RemediationAction, pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const names = new Set(action.inputs.map((i) => i.name));
  for (const p of pairs) {
    const m = /^([A-Za-z]\w*)=(.*)$/.exec(p);
    if (!m?.[1] || m[2] === undefined)
      throw new UserError(`--param expects KEY=VALUE, got "${p}". ${validParams(action)}`, 'usage');
    if (!names.has(m[1]))
      throw new UserError(`--param ${m[1]}: ${action.id} has no parameter "${m[1]}". ${validParams(action)}`, 'usage');
    out[m[1]] = m[2];
  }
  return out;
}

/** The form's inputs, one per line: what a person may change with --param, its current value and choices. */
export function inputsText(inputs: readonly Input[]): string {
  if (!inputs.length) return 'This action takes no parameters.\n';
  const width = Math.max(...inputs.map((i) => i.name.length));
  const lines = inputs.map((i) => {
    const value = i.initial === undefined ? '(none)' : String(i.initial);
    const choices =
      i.kind === 'select'
        ? `  one of: ${i.options.join(', ')}`
        : i.kind === 'number' && (i.min !== undefined || i.max !== undefined)
          ? `  from ${i.min ?? '…'} to ${i.max ?? '…'}`
          : '';
    return `  ${i.name.padEnd(width)}  ${i.label}: ${value}${choices}`;
  });
  return `Parameters (change with --param NAME=VALUE):\n${lines.join('\n')}\n`;
}

/** Plans the action, turning a source that fails (Redis down, a 403) into a message for the person. */
async function planned(action: RemediationAction, ctx: ActionContext, params: Record<string, string>, env: string) {
  let result: Planned;
  try {
    result = await planAction(action, ctx, params);
  } catch (err) {
    if (err instanceof RedisAdminError || err instanceof ClusterError || err instanceof RedisSourceError) {
      throw new UserError(`Could not prepare the preview of ${action.id} in ${env}: ${err.message}`, 'source');
    }
    throw err;
  }
  if (!result.ok) {
    // Each refused parameter with the flag that sets it, then the others.
    const refused = action.inputs.filter((i) => result.invalid.includes(`${i.name}:`));
    const set = refused.length ? ` Set with ${refused.map(paramFlag).join(', ')}.` : '';
    const message = `Invalid parameters for ${action.id}: ${result.invalid}.${set} ${validParams(action, refused)}`;
    throw new UserError(message.trimEnd(), 'usage');
  }
  return result.plan;
}

/**
 * `session-ttl fix <env> <action> --dry-run`: prints the preview the Slack modal shows (the exact
 * changes, what it fixes and what it does not, the risks) and the inputs a person may change there,
 * with their current values. Only reads. Applying is done in Slack, where the access policy, approvals
 * and the audit apply.
 */
export async function fixCommand(deps: FixDeps, args: FixArgs): Promise<number> {
  requireDryRun(args.dryRun);
  const env = environmentOf(deps.config, args.envName);
  const action = deps.actions.get(args.action);
  if (!action) {
    const valid = [...deps.actions.keys()].join(', ');
    throw new UserError(`Unknown action "${args.action}". Valid actions: ${valid}.`, 'unknown_action');
  }
  const params = parseParams(action, args.params);
  const managed = managedFix(env, action, params);
  if (managed) {
    checkGivenParams(action, params);
    printManagedFix(deps.io, env.name, managed, args.json);
    return 0;
  }
  const open = deps.openContext(env);
  try {
    const plan = await planned(action, open.ctx, params, env.name);
    const form = planForm(plan, action, { pendingId: '', approvals: 0, dryRun: true });
    deps.io.stdout.write(
      args.json
        ? `${JSON.stringify({ ...plan, inputs: form.inputs }, null, 2)}\n`
        : `${toTerminal(form.body, { color: deps.io.color })}\n${inputsText(form.inputs)}`,
    );
    return 0;
  } finally {
    await open.close();
  }
}
