import { describe, expect, it } from 'vitest';
import { FeedCoverage } from '../../../src/adapters/redis/cluster-feed-coverage.js';
import { MigratedDelFilter } from '../../../src/adapters/redis/migrated-del-filter.js';
import type { GapInfo, KeyspaceHandlers } from '../../../src/core/ports/keyspace-events.js';

// The two pieces of the cluster feed that decide what its handlers hear; the feed over a real cluster
// is driven end to end in test/cluster-ops/cluster-monitor.test.ts.

function recorder() {
  const heard: [string, GapInfo | undefined][] = [];
  const handlers: KeyspaceHandlers = {
    onEvent: () => undefined,
    onConnectionLost: (info) => heard.push(['lost', info]),
    onReconnected: (info) => heard.push(['back', info]),
  };
  return { heard, handlers };
}

describe('FeedCoverage', () => {
  it('reports one gap from the drop to full coverage, naming every master it concerned', () => {
    let t = 1000;
    const coverage = new FeedCoverage(() => t);
    const { heard, handlers } = recorder();
    // Given every master covered at t=1000, when one drops at 1500 and another is found missing later
    coverage.update([], handlers);
    coverage.update(['a:1'], handlers, 1500);
    t = 2000;
    coverage.update(['a:1', 'b:2'], handlers);
    expect(heard).toEqual([['lost', { nodes: ['a:1'], since: 1500 }]]);
    // When both are back, the gap closes once with both nodes and its start
    coverage.update([], handlers);
    coverage.update([], handlers);
    expect(heard).toEqual([
      ['lost', { nodes: ['a:1'], since: 1500 }],
      ['back', { nodes: ['a:1', 'b:2'], since: 1500 }],
    ]);
  });

  it('backdates a gap found at a refresh to the last moment every master was covered', () => {
    let t = 1000;
    const coverage = new FeedCoverage(() => t);
    const { heard, handlers } = recorder();
    t = 3000;
    coverage.restart();
    t = 8000;
    coverage.update(['c:3'], handlers);
    expect(heard).toEqual([['lost', { nodes: ['c:3'], since: 3000 }]]);
  });
});

describe('MigratedDelFilter', () => {
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('drops the del of a key that still exists (moved) and holds its later events in order', async () => {
    const out: string[] = [];
    const filter = new MigratedDelFilter(
      async () => true,
      (key, event) => out.push(`${key} ${event}`),
    );
    filter.deliver('s:1', 'del');
    filter.deliver('s:1', 'restore');
    filter.deliver('s:2', 'expire');
    expect(out).toEqual(['s:2 expire']);
    await settle();
    expect(out).toEqual(['s:2 expire', 's:1 restore']);
  });

  it('passes a del on when the key is gone, when the check fails, or when the key was written again', async () => {
    const out: string[] = [];
    const exists: Record<string, () => Promise<boolean>> = {
      gone: async () => false,
      failing: async () => Promise.reject(new Error('CLUSTERDOWN')),
      rewritten: async () => true,
    };
    const filter = new MigratedDelFilter(
      (key) => exists[key]!(),
      (key, event) => out.push(`${key} ${event}`),
    );
    for (const key of Object.keys(exists)) filter.deliver(key, 'del');
    filter.deliver('rewritten', 'set');
    await settle();
    // Keys settle in any order; each key's own events keep theirs.
    expect([...out].sort()).toEqual(['failing del', 'gone del', 'rewritten del', 'rewritten set']);
    expect(out.indexOf('rewritten del')).toBeLessThan(out.indexOf('rewritten set'));
  });
});
