import { ACTION_IDS, type ActionId } from '../../core/action-ids.js';
import type { RemediationAction } from '../types.js';
import { enableSlidingWindow } from './enable-sliding-window.js';
import { rolloutRestart } from './rollout-restart.js';
import { setEvictionPolicy } from './set-eviction-policy.js';
import { setMaxmemory } from './set-maxmemory.js';
import { tuneAof } from './tune-aof.js';

// Each action has its own params type; the registry holds them by id and callers parse params with `action.params`.

export type AnyAction = RemediationAction<any>;

/** Every remediation action, in the order a report offers them. */
export const ALL_ACTIONS: readonly AnyAction[] = [
  setEvictionPolicy,
  setMaxmemory,
  enableSlidingWindow,
  rolloutRestart,
  tuneAof,
];

/** Actions by id, built from a plain list; a duplicate or unknown id fails at start-up. */
export function createActionRegistry(actions: readonly AnyAction[] = ALL_ACTIONS): ReadonlyMap<ActionId, AnyAction> {
  const registry = new Map<ActionId, AnyAction>();
  for (const a of actions) {
    if (!(ACTION_IDS as readonly string[]).includes(a.id))
      throw new Error(`Remediation action "${a.id}" is not in ACTION_IDS.`);
    if (registry.has(a.id)) throw new Error(`Remediation action id collision: "${a.id}" is registered twice.`);
    registry.set(a.id, a);
  }
  return registry;
}
