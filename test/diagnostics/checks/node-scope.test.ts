import { describe, expect, it } from 'vitest';
import { nodeNoun, onNodes } from '../../../src/diagnostics/checks/node-scope.js';

describe('onNodes: where a finding holds, for its title', () => {
  it.each([
    [['a:1'], 1, ''],
    [['a:1'], 3, ' on 1 of 3 masters (a:1)'],
    [['a:1', 'b:2'], 3, ' on 2 of 3 masters (a:1, b:2)'],
    [['a:1', 'b:2', 'c:3'], 3, ' on all 3 masters'],
    [['a', 'b', 'c', 'd'], 6, ' on 4 of 6 masters (a, b, c, +1 more)'],
  ])('%j of %i', (addresses, total, text) => {
    expect(onNodes(addresses, total, 'masters')).toBe(text);
  });

  it("a cluster's nodes are its masters; anything else is nodes", () => {
    expect(nodeNoun({ topology: 'cluster' })).toBe('masters');
    expect(nodeNoun({ topology: 'standalone' })).toBe('nodes');
    expect(nodeNoun({})).toBe('nodes');
  });
});
