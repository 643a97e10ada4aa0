import { UserError } from '../../core/errors.js';
import type { RemediationAction } from '../types.js';
import { enableSlidingWindow } from './enable-sliding-window.js';
import { rolloutRestart } from './rollout-restart.js';
import { setEvictionPolicy } from './set-eviction-policy.js';
import { setMaxmemory } from './set-maxmemory.js';
import { tuneAof } from './tune-aof.js';

/**
 * Every remediation action, in the order a report offers them. Adding an action is its file in this
 * folder and its line here. Each action keeps its own params type; the registry holds them through the
 * common `RemediationAction` and every caller parses params with that action's own `params` schema.
 */
export const ALL_ACTIONS: readonly RemediationAction[] = [
  setEvictionPolicy,
  setMaxmemory,
  enableSlidingWindow,
  rolloutRestart,
  tuneAof,
];

/** Actions by id, in list order. Its keys are the action ids: nothing else lists them. */
export type ActionRegistry = ReadonlyMap<string, RemediationAction>;

/** What the registry needs of the finding catalogue: whether a finding id exists. */
export interface FindingLookup {
  get(findingId: string): unknown;
}

/** A registry that cannot be built: the message says which action and what is wrong. */
export class ActionRegistryError extends UserError {
  override name = 'ActionRegistryError';
  constructor(message: string) {
    super(message, 'action_registry');
  }
}

const ACTION_ID = /^[a-z][a-z0-9-]{0,62}$/;

function checkAction(action: RemediationAction, catalogue: FindingLookup | undefined): void {
  if (!ACTION_ID.test(action.id))
    throw new ActionRegistryError(`Remediation action id "${action.id}" must be lowercase letters, digits and -.`);
  for (const id of action.findings) {
    if (catalogue && catalogue.get(id) === undefined)
      throw new ActionRegistryError(
        `Remediation action "${action.id}" answers finding "${id}", which no check declares in the findings catalogue.`,
      );
  }
  const names = new Set(action.inputs.map((i) => i.name));
  if (names.size !== action.inputs.length)
    throw new ActionRegistryError(`Remediation action "${action.id}" declares two inputs of the same name.`);
}

/**
 * Actions by id, built from a plain list at start-up: a duplicate id, a malformed id, or (given the
 * catalogue) a finding id no check declares fails with an `ActionRegistryError` naming the action.
 *
 * @example
 * const actions = createActionRegistry(ALL_ACTIONS, checks.catalogue);
 * actions.get('set-maxmemory')?.title; // 'Raise Redis maxmemory'
 */
export function createActionRegistry(
  actions: readonly RemediationAction[] = ALL_ACTIONS,
  catalogue?: FindingLookup,
): ActionRegistry {
  const registry = new Map<string, RemediationAction>();
  for (const a of actions) {
    if (registry.has(a.id))
      throw new ActionRegistryError(`Remediation action id collision: "${a.id}" is registered twice.`);
    checkAction(a, catalogue);
    registry.set(a.id, a);
  }
  return registry;
}
