// The session monitor behind Redis Sentinel: its keyspace feed connects to the master the sentinels name
// and, at a failover (+switch-master; the old master's clients are killed), reconnects to the new one:
// the gap is counted once and no session's end is counted twice. One Sentinel set for the file.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { startMonitorHost, type MonitorHost } from '../support/monitor-host.js';
import { startRedisSentinel, type RedisSentinelHandle } from '../support/redis-sentinel.js';

const deadline = { timeout: 20_000, interval: 50 };
const NOTIFY = ['--notify-keyspace-events', 'KEg$xe'];

describe('session monitor behind Redis Sentinel (a primary, 2 replicas, 3 sentinels)', () => {
  let set: RedisSentinelHandle;
  let monitor: MonitorHost;
  const plain: Redis[] = [];
  const node = (address: string) => {
    const [h, p] = address.split(':');
    const r = new Redis({ host: h, port: Number(p), maxRetriesPerRequest: 1 });
    r.on('error', () => undefined);
    plain.push(r);
    return r;
  };
  const sample = (name: string, labels?: Record<string, string>) => monitor.sample(name, labels);

  beforeAll(async () => {
    set = await startRedisSentinel({ primaryArgs: NOTIFY, replicaArgs: [NOTIFY, NOTIFY] });
    const config = parseConfig(
      {
        environments: {
          s: {
            profile: 'development',
            expectedTtlSeconds: 1,
            slidingWindow: false,
            redis: { sentinel: { masterName: set.masterName, nodes: set.sentinelNodes }, connectTimeoutMs: 1000 },
          },
        },
      },
      'test',
    );
    monitor = await startMonitorHost(config, 's');
  }, 60_000);
  afterAll(async () => {
    await monitor?.stop();
    plain.forEach((r) => r.disconnect());
    await set?.stop();
  });

  it('counts the master’s notifications, follows a failover to the new master, counts the gap once and no end twice', async () => {
    // Given: the monitor watches the master; three sessions expire there.
    await expect.poll(() => monitor.metrics.monitors[0]?.status().state, deadline).toBe('watching');
    const oldMaster = node(await set.currentMaster());
    for (let i = 0; i < 3; i++) await oldMaster.set(`session:before:${i}`, 'v', 'PX', 800);
    await expect.poll(() => sample('session_monitor_events_total', { event: 'expired' }), deadline).toBe(3);
    expect(await sample('session_monitor_gaps_total')).toBe(0);
    // A session that outlives the failover: set on the old master, it ends on the new one.
    await oldMaster.set('session:across', 'v', 'PX', 6000);
    await expect.poll(() => sample('session_monitor_events_total', { event: 'set' }), deadline).toBe(4);

    // When: the sentinels fail over to a replica while the monitor watches.
    const newAddress = await set.failover();

    // Then: the monitor resubscribes (on the new master) and counts one gap, with its length.
    await expect.poll(() => sample('session_monitor_gaps_total'), deadline).toBe(1);
    expect(await sample('session_monitor_gap_seconds_total')).toBeGreaterThan(0);
    expect(monitor.logs.lines.some((l) => /resubscribed after a gap/.test(String(l.msg)))).toBe(true);
    await expect.poll(() => monitor.metrics.monitors[0]?.status().state, deadline).toBe('watching');

    // And: sessions written on the new master are seen expiring (only a master notifies `expired`).
    const newMaster = node(newAddress);
    for (let i = 0; i < 3; i++) await newMaster.set(`session:after:${i}`, 'v', 'PX', 800);
    await expect.poll(() => sample('session_monitor_events_total', { event: 'expired' }), deadline).toBe(7);
    // The session across the failover ends once: 3 + 1 + 3 lifetimes observed, none counted twice or as deleted.
    await expect.poll(() => sample('session_actual_lifetime_seconds_count'), deadline).toBe(7);
    expect(await sample('session_monitor_events_total', { event: 'expired' })).toBe(7);
    expect(await sample('session_ttl_violations_total', { reason: 'deleted' })).toBe(0);
    expect(await sample('session_monitor_gaps_total')).toBe(1);
  }, 60_000);
});
