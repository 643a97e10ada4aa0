import { UserError } from '../core/errors.js';
import type { ManagedFix } from '../remediation/managed/managed-fix.js';
import type { RemediationAction } from '../remediation/types.js';
import { providerStepsBlock } from '../render/provider-steps.js';
import { toTerminal } from '../render/terminal.js';
import type { CliIo } from './io.js';

/** Parameters given with --param are checked by the action's schema even when only the provider's steps are shown. */
export function checkGivenParams(action: RemediationAction, params: Record<string, string>): void {
  if (!Object.keys(params).length) return;
  const parsed = action.params.safeParse(params);
  if (parsed.success) return;
  const invalid = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new UserError(`Invalid parameters for ${action.id}: ${invalid}.`, 'usage');
}

/**
 * `fix --dry-run` on a managed service: the bot sends no CONFIG there, so instead of a preview it prints the
 * provider's own steps (JSON: the same data under `providerSteps`).
 */
export function printManagedFix(io: CliIo, env: string, fix: ManagedFix, json: boolean): void {
  if (json) {
    const { action, title, service, steps } = fix;
    io.stdout.write(`${JSON.stringify({ action, env, title, service, providerSteps: steps }, null, 2)}\n`);
    return;
  }
  const message = {
    text: `${fix.title} in ${env}: the provider's steps`,
    blocks: [{ kind: 'header' as const, text: `${fix.title} in ${env} (dry run)` }, providerStepsBlock(fix)],
  };
  io.stdout.write(`${toTerminal(message, { color: io.color })}\n`);
}
