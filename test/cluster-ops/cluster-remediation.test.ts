// Remediation on a Redis Cluster through the real Bolt app: CONFIG SET reaches every master and
// replica, each confirmed; a node that refuses makes a partial change, reported as such, whose Revert
// restores exactly the nodes that changed. One local cluster (3 masters + 3 replicas) for the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';
import {
  buttonOf,
  REDIS_CM,
  REDIS_CONF,
  refOf,
  SRE,
  SRE2,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from '../remediation/slack-flow-harness.js';

const ADMIN = 'session-ttl-admin';
/** The grants of the README's `ACL SETUSER session-ttl-admin …` line for a cluster (read from it, so the two cannot drift). */
const README_ADMIN_GRANTS = (() => {
  const line = /ACL SETUSER session-ttl-admin on >… (.*)/.exec(
    readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8'),
  )?.[1];
  if (!line) throw new Error('the README has no ACL SETUSER session-ttl-admin line');
  return line.trim().split(/\s+/);
})();

describe('remediation on a Redis Cluster (3 masters + 3 replicas)', () => {
  let cluster: RedisClusterHandle;
  let f: Flow;
  /** A plain connection to each node, masters first. */
  let nodes: Redis[] = [];
  const addr = (i: number) => `127.0.0.1:${cluster.nodes[i]!.port}`;
  const policies = () =>
    Promise.all(nodes.map(async (n) => ((await n.config('GET', 'maxmemory-policy')) as string[])[1]));

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicas: 1 });
    nodes = cluster.nodes.map((n) => new Redis({ host: '127.0.0.1', port: n.port, lazyConnect: true }));
    await Promise.all(nodes.map((n) => n.connect()));
    // The actions' user, with exactly the README's grants, on every node (ACLs are per node too).
    await Promise.all(nodes.map((n) => n.call('ACL', 'SETUSER', ADMIN, 'on', '>admin-pw', ...README_ADMIN_GRANTS)));
    f = await startFlow({
      envs: {
        dev: { profile: 'development' },
        c1: {
          profile: 'development',
          redisUrl: cluster.url,
          redis: {
            cluster: true,
            connectTimeoutMs: 1000,
            adminUsernameEnv: 'C1_ADMIN_USER',
            adminPasswordEnv: 'C1_ADMIN_PASSWORD',
          },
        },
      },
      access: standardAccess(['dev', 'c1']),
      processEnv: { C1_ADMIN_USER: ADMIN, C1_ADMIN_PASSWORD: 'admin-pw' },
    });
  });
  afterAll(async () => {
    nodes.forEach((n) => n.disconnect());
    await f?.close();
    await cluster?.stop();
  });
  beforeEach(async () => {
    await f.reset();
    await Promise.all(nodes.map((n) => n.config('SET', 'maxmemory-policy', 'allkeys-lru')));
  });

  it('previews every master and replica, sets and confirms each, and Revert restores all six', async () => {
    // Given: every node evicts with allkeys-lru; a report of c1 offers the fix.
    const report = await f.diagnose('c1');
    expect(textOf(report)).toContain('fix:set-eviction-policy');

    // When: SRE opens the preview.
    const view = await f.openPreview(SRE, report);

    // Then: it lists the six nodes, each with its role, and says how a partial change is handled.
    const preview = JSON.stringify(view.blocks);
    for (let i = 0; i < 6; i++)
      expect(preview).toContain(
        `CONFIG SET maxmemory-policy volatile-lru on ${addr(i)} (${i < 3 ? 'master' : 'replica'}) (now allkeys-lru)`,
      );
    expect(preview).toContain('Redis Cluster of 6 nodes (3 masters, 3 replicas)');
    expect(await policies()).toEqual(Array(6).fill('allkeys-lru'));

    // When: SRE submits it.
    const before = f.slack.callsOf('chat.postMessage').length;
    await f.submit(SRE, view, 'volatile-lru');
    const applied = await f.slack.waitFor(
      'chat.postMessage',
      (c) => f.slack.callsOf('chat.postMessage').indexOf(c) >= before && /set-eviction-policy in c1/.test(textOf(c)),
    );
    await f.bot.idle();

    // Then: all six nodes changed and were confirmed; the ConfigMap changed once.
    expect(textOf(applied)).toContain('Applied set-eviction-policy in c1: changed and confirmed on 6 of 6 nodes.');
    expect(await policies()).toEqual(Array(6).fill('volatile-lru'));
    expect(f.conf()).toContain('\nmaxmemory-policy volatile-lru\n');

    // When: SRE2 reverts.
    await f.click(SRE2, buttonOf(applied, 'revert'), refOf(applied));
    const reverted = await f.slack.waitFor('chat.postMessage', (c) =>
      /Reverted set-eviction-policy in c1/.test(textOf(c)),
    );
    await f.bot.idle();

    // Then: every node and the ConfigMap are back.
    expect(textOf(reverted)).toContain('restored and confirmed on 6 of 6 nodes');
    expect(await policies()).toEqual(Array(6).fill('allkeys-lru'));
    expect(f.conf()).toBe(REDIS_CONF);
  });

  it('reports a node that refuses CONFIG SET as a partial change, and Revert restores only the nodes that changed', async () => {
    // Given: a preview of c1; then one replica's ACL stops allowing CONFIG SET (CONFIG GET still works).
    const refusing = 4;
    const report = await f.diagnose('c1');
    const view = await f.openPreview(SRE, report);
    await nodes[refusing]!.call('ACL', 'SETUSER', ADMIN, '-config|set');
    try {
      // When: SRE submits the preview.
      const before = f.slack.callsOf('chat.postMessage').length;
      await f.submit(SRE, view, 'volatile-lru');
      const applied = await f.slack.waitFor(
        'chat.postMessage',
        (c) => f.slack.callsOf('chat.postMessage').indexOf(c) >= before && /set-eviction-policy in c1/.test(textOf(c)),
      );
      await f.bot.idle();

      // Then: five nodes changed, the refusing one did not, and the message says exactly that.
      const text = textOf(applied);
      expect(text).toContain(
        `set-eviction-policy in c1 was applied partly: changed on 5 of 6 nodes; failed on ${addr(refusing)} (denied CONFIG SET to user "${ADMIN}"`,
      );
      expect(text).toContain('Revert restores the 5 node(s) that changed.');
      expect(text).toContain(
        `Not changed: CONFIG SET maxmemory-policy volatile-lru on ${addr(refusing)} (replica) (now allkeys-lru): Redis at ${addr(refusing)} denied CONFIG SET`,
      );
      expect(text).toContain(`Not attempted: ConfigMap langgraph-agent/${REDIS_CM} key redis.conf`);
      expect(await policies()).toEqual([
        'volatile-lru',
        'volatile-lru',
        'volatile-lru',
        'volatile-lru',
        'allkeys-lru',
        'volatile-lru',
      ]);
      expect(f.conf()).toBe(REDIS_CONF);
      expect(f.patches()).toEqual([]);
      const audit = await f.audit('c1');
      expect(audit.at(-1)?.event).toBe('failure');
      expect(audit.at(-1)?.result).toContain(`Changed on 5 of 6 nodes; failed on ${addr(refusing)}`);

      // When: SRE2 clicks Revert while the replica still refuses CONFIG SET.
      await f.click(SRE2, buttonOf(applied, 'revert'), refOf(applied));
      const reverted = await f.slack.waitFor('chat.postMessage', (c) =>
        /Reverted set-eviction-policy in c1/.test(textOf(c)),
      );
      await f.bot.idle();

      // Then: the revert touched only the five changed nodes (it succeeds although the sixth refuses), and all are back.
      expect(textOf(reverted)).toContain('restored and confirmed on 5 of 5 nodes');
      expect(await policies()).toEqual(Array(6).fill('allkeys-lru'));
    } finally {
      await nodes[refusing]!.call('ACL', 'SETUSER', ADMIN, '+config|set');
    }
  });
});
