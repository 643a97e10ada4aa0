// The session monitor on a Redis Cluster: keyspace notifications are per node, so it subscribes on
// every master, follows a failover to the new master and records the gap (per node). One local cluster
// (3 masters + 3 replicas, notifications on) for the file; the failover test runs last.
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { startMonitorHost, type MonitorHost } from '../support/monitor-host.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';

const deadline = { timeout: 10_000, interval: 50 };

describe('session monitor on a Redis Cluster (3 masters + 3 replicas)', () => {
  let cluster: RedisClusterHandle;
  let writer: Cluster;
  let monitor: MonitorHost;
  const plain: Redis[] = [];
  const node = (p: number) => {
    const r = new Redis({ host: '127.0.0.1', port: p, maxRetriesPerRequest: 1 });
    r.on('error', () => undefined);
    plain.push(r);
    return r;
  };
  const sample = (name: string, labels?: Record<string, string>) => monitor.sample(name, labels);

  /** Session keys whose slots the master on `masterPort` serves now (CLUSTER SLOTS, CLUSTER KEYSLOT). */
  async function keysOn(masterPort: number, n: number, tag: string): Promise<string[]> {
    const r = node(cluster.nodes[0]!.port);
    const slots = (await r.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const ranges = slots.filter(([, , [, p]]) => p === masterPort).map(([a, b]) => [a, b] as const);
    const keys: string[] = [];
    for (let i = 0; keys.length < n; i++) {
      const key = `session:${tag}:${i}`;
      const slot = Number(await r.call('CLUSTER', 'KEYSLOT', key));
      if (ranges.some(([a, b]) => slot >= a && slot <= b)) keys.push(key);
    }
    return keys;
  }

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicas: 1, extraArgs: ['--notify-keyspace-events', 'KEg$xe'] });
    writer = new Cluster([{ host: '127.0.0.1', port: cluster.masters[0]!.port }], { scaleReads: 'master' });
    writer.on('error', () => undefined);
    const config = parseConfig(
      {
        environments: {
          c: {
            profile: 'development',
            expectedTtlSeconds: 1,
            slidingWindow: false,
            redis: { url: cluster.url, cluster: true, connectTimeoutMs: 1000 },
            monitor: { topologyRefreshSeconds: 0.3 },
          },
        },
      },
      'test',
    );
    // The masters are looked up every 0.3 s (monitor.topologyRefreshSeconds), so the failover is seen soon.
    monitor = await startMonitorHost(config, 'c');
  });
  afterAll(async () => {
    await monitor?.stop();
    writer?.disconnect();
    plain.forEach((r) => r.disconnect());
    await cluster?.stop();
  });

  it('counts the notifications of every master and checks notify-keyspace-events on each', async () => {
    // Given: the monitor watches; three sessions on each master's slots, each with a 1 s TTL.
    await expect.poll(() => monitor.metrics.monitors[0]?.status().state, deadline).toBe('watching');
    const perMaster = await Promise.all(cluster.masters.map((m, i) => keysOn(m.port, 3, `m${i}`)));
    const expiredBefore = await sample('session_monitor_events_total', { event: 'expired' });

    // When: they are written and expire.
    for (const key of perMaster.flat()) await writer.set(key, 'v', 'PX', 1000);

    // Then: all nine expirations are seen (a monitor on one master would see three), none as a violation.
    await expect
      .poll(() => sample('session_monitor_events_total', { event: 'expired' }), deadline)
      .toBe(expiredBefore + 9);
    await expect.poll(async () => sample('session_actual_lifetime_seconds_count'), deadline).toBe(9);
    expect(await sample('session_monitor_notifications_ok')).toBe(1);
    expect(await sample('session_monitor_gaps_total')).toBe(0);
  });

  it('does not count a session moved by a resharding (MIGRATE) as deleted, and sees it end on its new master', async () => {
    // Given: a tracked session on master 0's slots, with a 2.5 s TTL.
    const [source, target] = [cluster.masters[0]!.port, cluster.masters[1]!.port];
    const [key] = await keysOn(source, 1, 'moved');
    const slot = Number(await node(source).call('CLUSTER', 'KEYSLOT', key!));
    const [sourceId, targetId] = await Promise.all([
      node(source).call('CLUSTER', 'MYID'),
      node(target).call('CLUSTER', 'MYID'),
    ]);
    const setsBefore = await sample('session_monitor_events_total', { event: 'set' });
    const lifetimesBefore = await sample('session_actual_lifetime_seconds_count');
    await writer.set(key!, 'v', 'PX', 2500);
    await expect.poll(() => sample('session_monitor_events_total', { event: 'set' }), deadline).toBe(setsBefore + 1);

    // When: its slot moves to master 1 the way redis-cli --cluster reshard does it.
    await node(target).call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', String(sourceId));
    await node(source).call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', String(targetId));
    await node(source).call('MIGRATE', '127.0.0.1', target, '', 0, 5000, 'KEYS', key!);
    for (const m of cluster.masters) await node(m.port).call('CLUSTER', 'SETSLOT', slot, 'NODE', String(targetId));

    // Then: the source's `del` is not a deletion; the session ends by expiring on master 1, observed whole.
    await expect.poll(() => sample('session_actual_lifetime_seconds_count'), deadline).toBe(lifetimesBefore + 1);
    expect(await sample('session_ttl_violations_total', { reason: 'deleted' })).toBe(0);
    expect(await node(target).call('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(0);
  });

  it('follows a failover to the new master and records the gap for it', async () => {
    // Given: master 0 and its replica.
    const oldMaster = cluster.masters[0]!.port;
    const roles = await Promise.all(
      cluster.replicas.map(async (r) => ({
        port: r.port,
        role: (await node(r.port).call('ROLE')) as [string, string, number],
      })),
    );
    const replica = roles.find((r) => r.role[2] === oldMaster)!.port;
    const gapsBefore = await sample('session_monitor_gaps_total');

    // When: the replica takes over (CLUSTER FAILOVER) while the monitor watches.
    await node(replica).call('CLUSTER', 'FAILOVER');
    await expect.poll(async () => ((await node(replica).call('ROLE')) as string[])[0], deadline).toBe('master');

    // Then: the monitor subscribes to the new master and records one gap, for it, with its length.
    await expect
      .poll(() => sample('session_monitor_node_gaps_total', { node: `127.0.0.1:${replica}` }), deadline)
      .toBe(1);
    expect(await sample('session_monitor_gaps_total')).toBe(gapsBefore + 1);
    expect(await sample('session_monitor_node_gap_seconds_total', { node: `127.0.0.1:${replica}` })).toBeGreaterThan(0);
    const line = monitor.logs.lines.find((l) => /resubscribed after a gap/.test(String(l.msg)));
    expect(line?.msg).toContain(`127.0.0.1:${replica}`);
    expect(monitor.metrics.monitors[0]?.status().state).toBe('watching');

    // And: sessions on the new master's slots are seen expiring (only a master notifies `expired`).
    const keys = await keysOn(replica, 3, 'after');
    const expiredBefore = await sample('session_monitor_events_total', { event: 'expired' });
    for (const key of keys) await writer.set(key, 'v', 'PX', 500);
    await expect
      .poll(() => sample('session_monitor_events_total', { event: 'expired' }), deadline)
      .toBe(expiredBefore + 3);
  });
});
