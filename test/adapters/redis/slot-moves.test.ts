// A failover (a master's slots now served by its former replica) is told apart from slots moving between
// masters: only a move can count a key twice or miss it.
import { describe, expect, it } from 'vitest';
import {
  CLUSTER_SLOTS,
  rolesFromClusterNodes,
  slotMoves,
  type MasterView,
  type SlotMapReading,
} from '../../../src/adapters/redis/slot-map.js';

const NODES = [
  'aaa 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-8191',
  'bbb 10.0.0.2:6379@16379 master - 0 0 2 connected 8192-16383',
  'ccc 10.0.0.3:6379@16379 slave aaa 0 0 1 connected',
  'ddd 10.0.0.4:6379@16379 slave,fail bbb 0 0 2 connected',
].join('\n');

/** One master's view: slots below `split` served by `low`, the rest by `high`. */
function view(low: string, high: string, split = 8192): MasterView {
  const owners = Array.from({ length: CLUSTER_SLOTS }, (_, s) => (s < split ? low : high));
  return { owners, migrating: [], roles: rolesFromClusterNodes(NODES) };
}

describe('slotMoves', () => {
  it('reads each master and its replicas (a failed one too) from CLUSTER NODES', () => {
    const roles = rolesFromClusterNodes(NODES);
    expect(roles.addresses.get('ccc')).toBe('10.0.0.3:6379');
    expect(roles.replicasOf).toEqual(
      new Map([
        ['aaa', ['ccc']],
        ['bbb', ['ddd']],
      ]),
    );
  });

  it("a master's slots served by its former replica: a failover naming both nodes, no slot moved", () => {
    const before: SlotMapReading = new Map([['10.0.0.2:6379', view('aaa', 'bbb')]]);
    const after: SlotMapReading = new Map([['10.0.0.2:6379', view('ccc', 'bbb')]]);
    expect(slotMoves(before, after)).toEqual({
      moved: 0,
      failovers: [{ from: '10.0.0.1:6379', to: '10.0.0.3:6379', slots: 8192 }],
    });
  });

  it('slots served by another master (not a replica of their owner): moved, no failover', () => {
    const before: SlotMapReading = new Map([['10.0.0.2:6379', view('aaa', 'bbb')]]);
    const after: SlotMapReading = new Map([['10.0.0.2:6379', view('aaa', 'bbb', 8000)]]);
    expect(slotMoves(before, after)).toEqual({ moved: 192, failovers: [] });
  });
});
