import { unknownActionIssues } from '../config/access.js';
import type { Config } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import { defaultCatalogue } from '../diagnostics/catalogue/default-catalogue.js';
import { createActionRegistry, type ActionRegistry, type FindingLookup } from '../remediation/actions/index.js';
import type { RemediationAction } from '../remediation/types.js';

/**
 * The action registry a root starts with, checked against what it is used with: every finding an
 * action answers is declared by a check (the bot's own checks, or those of the check registry it runs
 * with), else `ActionRegistryError`; and every action the config's `access` section names is
 * registered, else a `ConfigError` naming each key as the config's other issues do. Both are
 * UserErrors: the bot and the CLI stop at start-up with the message.
 *
 * @example
 * const actions = startupActionRegistry({ actions: ALL_ACTIONS, checks: checkRegistry.catalogue, config });
 */
export function startupActionRegistry(opts: {
  actions: readonly RemediationAction[];
  /** The catalogue of the checks the process runs (a test may run a few, or checks of its own). */
  checks?: FindingLookup;
  config: Pick<Config, 'access' | 'source'>;
}): ActionRegistry {
  // A finding of one of the bot's checks that this process does not run is still a finding: the action is
  // simply not offered here. An id no check declares is a typo or a stale id, and stops the start.
  const catalogue: FindingLookup = { get: (id) => opts.checks?.get(id) ?? defaultCatalogue.get(id) };
  const registry = createActionRegistry(opts.actions, catalogue);
  checkAccessActions(opts.config, registry);
  return registry;
}

/** A `ConfigError` when `access` names an action the registry does not hold. */
export function checkAccessActions(config: Pick<Config, 'access' | 'source'>, registry: ActionRegistry): void {
  const issues = unknownActionIssues(config.access, [...registry.keys()]);
  if (issues.length) throw new ConfigError(issues, config.source);
}
