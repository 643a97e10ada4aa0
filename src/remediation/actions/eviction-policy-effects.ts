/** What a `maxmemory-policy` value fixes, leaves, and risks: the preview's lists, from the chosen value. */
export interface PolicyEffects {
  fixes: string[];
  doesNotFix: string[];
  risks: string[];
}

const AT_ONCE = 'Applies at once, without a restart.';
const NO_TTL_SESSIONS = 'Sessions written without a TTL (Scenario 2).';

/**
 * The preview's fixes, limits and risks of setting `maxmemory-policy` to `policy`: `volatile-*` evicts
 * only keys with a TTL, `allkeys-*` any key (sessions before their TTL), `noeviction` nothing (writes fail).
 *
 * @example policyEffects('allkeys-lru').risks // ['Applies at once, … any key, sessions included, …']
 */
export function policyEffects(policy: string): PolicyEffects {
  if (policy.startsWith('volatile-'))
    return {
      fixes: [
        'Sessions evicted before their TTL by an allkeys-* policy (Scenario 1): only keys with a TTL become eviction candidates.',
      ],
      doesNotFix: [
        'Memory pressure itself: Redis still evicts (keys with a TTL) when maxmemory is reached; raise maxmemory if it is too small.',
        NO_TTL_SESSIONS,
      ],
      risks: [`${AT_ONCE} Keys without a TTL are no longer evicted; if they fill memory, writes fail with OOM errors.`],
    };
  if (policy.startsWith('allkeys-'))
    return {
      fixes: [],
      doesNotFix: [
        'Sessions evicted before their TTL (Scenario 1): under memory pressure any key is evicted, sessions included.',
        'Memory pressure itself: raise maxmemory if it is too small.',
        NO_TTL_SESSIONS,
      ],
      risks: [
        `${AT_ONCE} Under memory pressure Redis evicts any key, sessions included, before their TTL (runbook Scenario 1).`,
      ],
    };
  return {
    fixes: ['Sessions evicted before their TTL (Scenario 1): Redis evicts nothing (at the cost in Risks).'],
    doesNotFix: ['Memory pressure itself: raise maxmemory if it is too small.', NO_TTL_SESSIONS],
    risks: [
      `${AT_ONCE} Nothing is evicted any more: once maxmemory is reached, every write (new sessions, refreshes) fails with an OOM error.`,
    ],
  };
}
