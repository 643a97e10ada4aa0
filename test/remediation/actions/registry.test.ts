import { describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../../src/diagnostics/catalogue/default-catalogue.js';
import { ActionRegistryError, ALL_ACTIONS, createActionRegistry } from '../../../src/remediation/actions/index.js';
import { setMaxmemory } from '../../../src/remediation/actions/set-maxmemory.js';

describe('remediation action registry', () => {
  it('derives the action ids from the list, in its order', () => {
    expect([...createActionRegistry(ALL_ACTIONS, defaultCatalogue).keys()]).toEqual([
      'set-eviction-policy',
      'set-maxmemory',
      'enable-sliding-window',
      'rollout-restart',
      'tune-aof',
    ]);
  });

  it('knows which findings each action answers (moved here from the finding catalogue)', () => {
    const byFinding = new Map<string, string[]>();
    for (const a of ALL_ACTIONS) for (const f of a.findings) byFinding.set(f, [...(byFinding.get(f) ?? []), a.id]);
    expect(Object.fromEntries(byFinding)).toEqual({
      'eviction.allkeys_policy': ['set-eviction-policy'],
      'memory.high_usage': ['set-eviction-policy', 'set-maxmemory'],
      'memory.evictions': ['set-eviction-policy', 'set-maxmemory'],
      'sliding_window.disabled': ['enable-sliding-window'],
      'config.env_override_mismatch': ['rollout-restart'],
      'config.stale_pods': ['rollout-restart'],
      'aof.last_rewrite_failed': ['tune-aof'],
      'aof.rewrite_in_progress': ['tune-aof'],
      'aof.frequent_rewrites': ['tune-aof'],
      'config.live_drift': ['set-eviction-policy', 'set-maxmemory'],
      'config.live_drift_aof': ['tune-aof'],
    });
    for (const f of byFinding.keys()) expect(defaultCatalogue.get(f), f).toBeDefined();
  });

  it('fails at start-up on a duplicate id', () => {
    expect(() => createActionRegistry([...ALL_ACTIONS, setMaxmemory])).toThrow(/collision: "set-maxmemory"/);
  });

  it('fails at start-up on an action answering a finding the catalogue lacks, naming both', () => {
    const stray = { ...setMaxmemory, id: 'raise-everything', findings: ['memory.evictions', 'memory.on_fire'] };
    expect(() => createActionRegistry([...ALL_ACTIONS, stray], defaultCatalogue)).toThrow(
      new ActionRegistryError(
        'Remediation action "raise-everything" answers finding "memory.on_fire", which no check declares in the findings catalogue.',
      ),
    );
    // Without the catalogue (a unit test of an action), only the ids are checked.
    expect(createActionRegistry([...ALL_ACTIONS, stray]).has('raise-everything')).toBe(true);
  });

  it('fails on an id that cannot be a button command, or two inputs of one name', () => {
    expect(() => createActionRegistry([{ ...setMaxmemory, id: 'Drop All' }])).toThrow(/"Drop All" must be lowercase/);
    const twice = { ...setMaxmemory, inputs: [...setMaxmemory.inputs, ...setMaxmemory.inputs] };
    expect(() => createActionRegistry([twice])).toThrow(/two inputs of the same name/);
  });
});
