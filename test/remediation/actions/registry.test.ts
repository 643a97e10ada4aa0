import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../../src/core/action-ids.js';
import { ALL_ACTIONS, createActionRegistry } from '../../../src/remediation/actions/index.js';
import { setMaxmemory } from '../../../src/remediation/actions/set-maxmemory.js';

describe('remediation action registry', () => {
  it('holds one action per id of the contract', () => {
    expect([...createActionRegistry().keys()].sort()).toEqual([...ACTION_IDS].sort());
  });

  it('fails at start-up on a duplicate id', () => {
    expect(() => createActionRegistry([...ALL_ACTIONS, setMaxmemory])).toThrow(/collision: "set-maxmemory"/);
  });

  it('fails on an id outside the contract', () => {
    expect(() => createActionRegistry([{ ...setMaxmemory, id: 'drop-all' as never }])).toThrow(/not in ACTION_IDS/);
  });
});
