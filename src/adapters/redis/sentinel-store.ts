import type { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import type { RedisNodePort, SentinelReplicaSet } from '../../core/ports/session-store.js';
import { redisConnectOptions } from './connect-options.js';
import { connectRedis, IoRedisNode, type RedisConnectOptions } from './redis-node.js';
import type { SentinelConnect } from './sentinel-options.js';
import { readSentinelTopology, type SentinelReplicaEntry } from './sentinel-topology.js';
import { unusableNode, type OpenSessionStore } from './unusable-node.js';

/**
 * The session store behind Redis Sentinel. Each diagnosis starts with `refresh()`, which asks the sentinels
 * for the current master and its replicas; `nodes` is then the master, read over a direct connection so
 * that evidence names its real address, and `replicaSet()` the replicas, whose settings the sentinel check
 * compares (a replica is the master after a failover). Connections are kept per address: a node that
 * changes role keeps its connection. When no sentinel answers, `nodes` fails with the reason.
 */
export class SentinelSessionStore implements OpenSessionStore {
  readonly topology = 'standalone';
  private readonly clients = new Map<string, { client: Redis; node: IoRedisNode }>();
  private view: SentinelReplicaSet | undefined;
  private failure: string;
  private closed = false;

  constructor(
    private readonly env: EnvironmentConfig,
    private readonly options: RedisConnectOptions,
    private readonly sentinel: SentinelConnect,
  ) {
    this.failure = `The sentinels of master ${sentinel.name} have not been asked yet.`;
  }

  get nodes(): RedisNodePort[] {
    const master = this.view?.master;
    if (!master) return [unusableNode(this.label(), this.failure)];
    return [this.nodeAt(master)];
  }

  replicaSet(): SentinelReplicaSet | undefined {
    return this.view;
  }

  get readNodes(): RedisNodePort[] | undefined {
    const address = this.view?.readFrom;
    return address ? [this.nodeAt(address)] : undefined;
  }

  async refresh(): Promise<void> {
    if (this.closed) return;
    try {
      const t = await readSentinelTopology(this.sentinel, Math.max(this.env.redis.connectTimeoutMs, 1000));
      const readFrom = this.env.redis.readFrom === 'primary' ? undefined : readableReplica(t.replicas);
      this.view = {
        masterName: this.sentinel.name,
        master: t.master,
        sentinel: t.sentinel,
        ...(readFrom ? { readFrom } : {}),
        replicas: t.replicas.map((r) => ({
          node: this.nodeAt(r.address),
          flags: r.flags,
          masterLinkStatus: r.masterLinkStatus,
        })),
      };
    } catch (err) {
      this.view = undefined;
      this.failure = `${err instanceof Error ? err.message : String(err)} (redis.sentinel of environment "${this.env.name}")`;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { client } of this.clients.values()) client.disconnect();
    this.clients.clear();
  }

  private label(): string {
    return `sentinel master ${this.sentinel.name} (${this.env.redis.sentinel?.nodes.join(', ') ?? ''})`;
  }

  /** The node at `address`, on a live connection (one that gave up is replaced). */
  private nodeAt(address: string): IoRedisNode {
    const held = this.clients.get(address);
    if (held && held.client.status !== 'end') return held.node;
    const { sentinel: _sentinel, ...direct } = this.options;
    const client = connectRedis({ ...direct, url: `redis://${address}/${this.env.redis.sentinel?.db ?? 0}` });
    const node = new IoRedisNode(client);
    this.clients.set(address, { client, node });
    return node;
  }
}

/** The first replica the sentinel sees as up and linked (flags `slave` alone, link ok), or undefined. */
function readableReplica(replicas: readonly SentinelReplicaEntry[]): string | undefined {
  return replicas.find((r) => r.flags.length === 1 && r.flags[0] === 'slave' && r.masterLinkStatus === 'ok')?.address;
}

/** The session store of an environment with `redis.sentinel` (see `SentinelSessionStore`). */
export function openSentinelStore(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): OpenSessionStore {
  let options: RedisConnectOptions;
  try {
    options = redisConnectOptions(env, processEnv);
  } catch (err) {
    const label = `sentinel master ${env.redis.sentinel?.masterName ?? ''}`;
    return {
      nodes: [unusableNode(label, err instanceof Error ? err.message : String(err))],
      close: async () => undefined,
    };
  }
  if (!options.sentinel) throw new Error('openSentinelStore: the environment has no redis.sentinel');
  return new SentinelSessionStore(env, options, options.sentinel);
}
