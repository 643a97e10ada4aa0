import { describe, expect, it } from 'vitest';
import {
  replicasFromClusterNodes,
  replicasFromClusterSlots,
} from '../../../src/adapters/redis/cluster-replica-reads.js';

describe("a Cluster's replicas per master", () => {
  it('CLUSTER NODES: every replica under its master; failed and address-less replicas left out', () => {
    const nodes = [
      'aaa 10.0.0.1:6379@16379,redis-0 myself,master - 0 0 1 connected 0-5460',
      'bbb 10.0.0.2:6379@16379 master - 0 0 2 connected 5461-16383',
      'ccc 10.0.0.3:6379@16379 slave aaa 0 0 1 connected',
      'ddd 10.0.0.4:6379@16379 slave,fail bbb 0 0 2 connected',
      'eee :0@0 slave,noaddr bbb 0 0 2 connected',
      'fff 10.0.0.6:6379@16379 slave bbb 0 0 2 connected',
      '',
    ].join('\n');
    expect(replicasFromClusterNodes(nodes)).toEqual(
      new Map([
        ['10.0.0.1:6379', ['10.0.0.3:6379']],
        ['10.0.0.2:6379', ['10.0.0.6:6379']],
      ]),
    );
  });

  it("CLUSTER SLOTS: the replicas after each range's master, once per master", () => {
    const slots = [
      [0, 100, ['10.0.0.1', 6379, 'aaa'], ['10.0.0.3', 6379, 'ccc']],
      [101, 200, ['10.0.0.1', 6379, 'aaa'], ['10.0.0.3', 6379, 'ccc']],
      [201, 16383, ['10.0.0.2', 6379, 'bbb']],
    ];
    expect(replicasFromClusterSlots(slots)).toEqual(
      new Map([
        ['10.0.0.1:6379', ['10.0.0.3:6379']],
        ['10.0.0.2:6379', []],
      ]),
    );
    expect(replicasFromClusterSlots('not an array')).toEqual(new Map());
  });
});
