// Remediation behind Redis Sentinel through the real Bolt app: CONFIG SET reaches the master and both
// replicas (a replica is the master after a failover), each confirmed with CONFIG GET; Revert restores all.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisSentinel, type RedisSentinelHandle } from '../support/redis-sentinel.js';
import {
  buttonOf,
  refOf,
  REDIS_CONF,
  SRE,
  SRE2,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from '../remediation/slack-flow-harness.js';

describe('remediation behind Redis Sentinel (a primary, 2 replicas, 3 sentinels)', () => {
  let set: RedisSentinelHandle;
  let f: Flow;
  /** A plain connection to each data node, the primary first. */
  let nodes: Redis[] = [];
  const policies = () =>
    Promise.all(nodes.map(async (n) => ((await n.config('GET', 'maxmemory-policy')) as string[])[1]));

  beforeAll(async () => {
    set = await startRedisSentinel({
      primaryArgs: ['--maxmemory-policy', 'allkeys-lru'],
      replicaArgs: [
        ['--maxmemory-policy', 'allkeys-lru'],
        ['--maxmemory-policy', 'allkeys-lru'],
      ],
    });
    nodes = [set.primary, ...set.replicas].map(
      (n) => new Redis({ host: '127.0.0.1', port: n.port, lazyConnect: true }),
    );
    await Promise.all(nodes.map((n) => n.connect()));
    f = await startFlow({
      envs: {
        dev: { profile: 'development' },
        s1: {
          profile: 'development',
          redis: {
            url: undefined,
            sentinel: { masterName: set.masterName, nodes: set.sentinelNodes },
            connectTimeoutMs: 1000,
          },
        },
      },
      access: standardAccess(['dev', 's1']),
    });
  }, 60_000);
  afterAll(async () => {
    nodes.forEach((n) => n.disconnect());
    await f?.close();
    await set?.stop();
  });

  it('previews the master and both replicas, sets and confirms each, and Revert restores all three', async () => {
    // Given: every node evicts with allkeys-lru; a report of s1 offers the fix.
    const report = await f.diagnose('s1');
    expect(textOf(report)).toContain('fix:set-eviction-policy');
    const addr = (port: number) => `127.0.0.1:${port}`;

    // When: SRE opens the preview.
    const view = await f.openPreview(SRE, report);

    // Then: it lists the three nodes with their roles, as the sentinels name them.
    const preview = JSON.stringify(view.blocks);
    expect(preview).toContain(
      `CONFIG SET maxmemory-policy volatile-lru on ${addr(set.primary.port)} (master) (now allkeys-lru)`,
    );
    for (const r of set.replicas)
      expect(preview).toContain(
        `CONFIG SET maxmemory-policy volatile-lru on ${addr(r.port)} (replica) (now allkeys-lru)`,
      );
    expect(preview).toContain('Redis Sentinel set mymaster of 3 nodes (1 masters, 2 replicas)');

    // When: SRE submits it.
    const before = f.slack.callsOf('chat.postMessage').length;
    await f.submit(SRE, view, 'volatile-lru');
    const applied = await f.slack.waitFor(
      'chat.postMessage',
      (c) => f.slack.callsOf('chat.postMessage').indexOf(c) >= before && /set-eviction-policy in s1/.test(textOf(c)),
    );
    await f.bot.idle();

    // Then: all three nodes changed and were confirmed.
    expect(textOf(applied)).toContain('Applied set-eviction-policy in s1: changed and confirmed on 3 of 3 nodes.');
    expect(await policies()).toEqual(Array(3).fill('volatile-lru'));

    // When: SRE2 reverts; then every node and the ConfigMap are back.
    await f.click(SRE2, buttonOf(applied, 'revert'), refOf(applied));
    const reverted = await f.slack.waitFor('chat.postMessage', (c) =>
      /Reverted set-eviction-policy in s1/.test(textOf(c)),
    );
    await f.bot.idle();
    expect(textOf(reverted)).toContain('restored and confirmed on 3 of 3 nodes');
    expect(await policies()).toEqual(Array(3).fill('allkeys-lru'));
    expect(f.conf()).toBe(REDIS_CONF);
  }, 60_000);
});
