// The remediation admin side of a cluster, below the Slack flow: how CLUSTER NODES is read, and what a
// node that stops answering mid-command means (sent, maybe applied later: the message must not say
// "nothing was changed").
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterNodes } from '../../src/adapters/redis/cluster-nodes.js';
import { openRedisAdmin, RedisAdminError } from '../../src/adapters/redis/redis-admin.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

describe('parseClusterNodes', () => {
  it('lists masters then replicas with their state, through natMap, and leaves out nodes without an address', () => {
    const text = [
      'a1 10.0.0.2:6379@16379,host-b master - 0 1 2 connected 5461-10922',
      'a2 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-5460',
      'a3 10.0.0.4:6379@16379 slave a2 0 1 1 connected',
      'a4 10.0.0.3:6379@16379 slave,fail a1 0 1 2 disconnected',
      'a5 :0@0 master,noaddr - 0 1 3 disconnected',
      'a6 10.0.0.9:6379@16379 handshake - 0 0 0 connected',
      '',
    ].join('\n');
    expect(parseClusterNodes(text, { '10.0.0.4:6379': '127.0.0.1:7004' })).toEqual([
      { address: '10.0.0.1:6379', role: 'master', failing: false },
      { address: '10.0.0.2:6379', role: 'master', failing: false },
      { address: '10.0.0.3:6379', role: 'replica', failing: true },
      { address: '127.0.0.1:7004', role: 'replica', failing: false },
    ]);
  });
});

describe('openRedisAdmin when Redis stops answering (CLIENT PAUSE)', () => {
  let server: RedisServerHandle;
  let root: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    root = new Redis(server.url);
  });
  afterAll(async () => {
    root?.disconnect();
    await server?.stop();
  });

  it('says a CONFIG SET without an answer may still apply, and it does once Redis answers again', async () => {
    // Given: an admin connection that is ready, then Redis pauses every client.
    const admin = openRedisAdmin({ url: server.url, connectTimeoutMs: 1000, commandTimeoutMs: 300 });
    const [node] = await admin.nodes();
    await admin.configGet(node!, 'maxmemory-policy');
    await root.config('SET', 'maxmemory-policy', 'noeviction');
    await root.call('CLIENT', 'PAUSE', '10000', 'ALL');
    try {
      // When: the admin sets a value.
      const err = await admin.configSet(node!, 'maxmemory-policy', 'volatile-lru').then(
        () => undefined,
        (e: unknown) => e,
      );

      // Then: a timeout, worded as "may still apply", never "nothing was changed".
      expect(err).toBeInstanceOf(RedisAdminError);
      expect((err as RedisAdminError).kind).toBe('timeout');
      expect((err as Error).message).toMatch(
        /did not answer CONFIG SET in time .*It may still apply the change once it answers again/,
      );
      expect((err as Error).message).not.toMatch(/Nothing was changed/);
    } finally {
      await root.call('CLIENT', 'UNPAUSE');
      await admin.close();
    }
    // And: the command that was sent ran once the pause ended.
    await expect.poll(async () => ((await root.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('volatile-lru');
  });
});
