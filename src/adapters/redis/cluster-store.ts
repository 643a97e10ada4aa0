import type { Cluster, Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import { configBlockedBy } from '../../config/redis-provider.js';
import type { RedisNodePort, ReplicaReads, SlotMapChange } from '../../core/ports/session-store.js';
import { clusterSeedsText, compareAddresses, connectCluster, readyCluster } from './cluster-client.js';
import type { RedisSourceError } from './redis-error.js';
import { clusterFailure } from './tls-probe.js';
import { ClusterReplicaReads } from './cluster-replica-reads.js';
import { ClusterMasterNode, type RedirectCounter } from './cluster-master-node.js';
import { migratingSlots, readSlotMap, slotMoves, type MasterView, type SlotMapReading } from './slot-map.js';
import { redisConnectOptions } from './connect-options.js';
import { IoRedisNode, type RedisConnectOptions } from './redis-node.js';
import { unusableNode, type OpenSessionStore } from './unusable-node.js';

/**
 * The session store of a Redis Cluster: its `nodes` are the masters (each with its own connection,
 * owned by ioredis' Cluster client), read as of the last `refresh()`. A diagnosis refreshes once at its
 * start, so all its checks see the same masters; when the cluster cannot be reached, `nodes` is one
 * node whose every call fails with the reason, so the Redis checks report it and the others still run.
 */
export class ClusterSessionStore implements OpenSessionStore {
  readonly topology = 'cluster';
  private readonly cluster: Cluster;
  private readonly counter: RedirectCounter = { redirects: 0 };
  private readonly wrapped = new WeakMap<Redis, ClusterMasterNode>();
  /**
   * The slot map as of the last refresh: what a diagnosis compares the end of its scan with. One per
   * store: when two diagnoses of the same environment overlap (the bot shares the store), the later
   * refresh moves the baseline and resets the redirect count, so the earlier one may miss a change that
   * happened before the later one began.
   */
  private baseline: SlotMapReading | undefined;
  /** Why the cluster cannot be used: a message, or the typed TLS failure (a `redis.tls` finding). */
  private failure: string | RedisSourceError | undefined;
  private closed = false;
  /** `redis.readFrom` replica or unset: the replica of each master that the keyspace is read from. */
  private readonly replicaReader: ClusterReplicaReads | undefined;

  constructor(
    private readonly env: EnvironmentConfig,
    private readonly options: RedisConnectOptions,
  ) {
    this.cluster = connectCluster(env, options);
    // As with Sentinel: replicas are read unless `readFrom: primary` says otherwise.
    if (env.redis.readFrom !== 'primary') this.replicaReader = new ClusterReplicaReads(env, options);
  }

  get readNodes(): RedisNodePort[] | undefined {
    return this.failure === undefined ? this.replicaReader?.nodes : undefined;
  }

  replicaReads(): ReplicaReads | undefined {
    return this.replicaReader?.readings;
  }

  get nodes(): RedisNodePort[] {
    const seeds = clusterSeedsText(this.env);
    if (this.failure !== undefined) return [unusableNode(seeds, this.failure)];
    const list = this.cluster.nodes('master');
    if (!list.length) return [unusableNode(seeds, `The Redis Cluster at ${seeds} has not been reached yet.`)];
    return list.map((client) => this.wrap(client)).sort((a, b) => compareAddresses(a.address, b.address));
  }

  async refresh(): Promise<void> {
    if (this.closed) return;
    try {
      await readyCluster(this.cluster, Math.max(this.env.redis.connectTimeoutMs, 1000));
      this.failure = undefined;
      this.counter.redirects = 0;
      this.baseline = await readSlotMap(this.masterClients());
      await this.replicaReader?.refresh(this.nodes, this.cluster.nodes('master')[0]);
    } catch (err) {
      this.replicaReader?.reset();
      const failure = await clusterFailure(this.env, this.cluster, err, {
        user: this.options.username ?? 'default',
        ...(this.options.tls ? { tls: this.options.tls } : {}),
        timeoutMs: Math.max(this.env.redis.connectTimeoutMs, 1000),
      });
      this.failure = failure.kind === 'tls' ? failure : failure.message;
      this.baseline = undefined;
    }
  }

  async slotMapChanges(): Promise<SlotMapChange> {
    const before: SlotMapReading = this.baseline ?? new Map<string, MasterView>();
    const after: SlotMapReading =
      this.failure === undefined && !this.closed
        ? await readSlotMap(this.masterClients())
        : new Map<string, MasterView>();
    const { moved, failovers } = slotMoves(before, after);
    const migrating = migratingSlots(before, after);
    const sameMasters = before.size === after.size && [...before.keys()].every((a) => after.has(a));
    const reachable = (address: string) => this.env.redis.natMap?.[address] ?? address;
    return {
      changed: moved > 0 || failovers.length > 0 || migrating.length > 0 || this.counter.redirects > 0 || !sameMasters,
      movedSlots: moved,
      failovers: failovers.map((f) => ({ ...f, from: reachable(f.from), to: reachable(f.to) })),
      migratingSlots: migrating.slice(0, 20),
      redirects: this.counter.redirects,
      mastersBefore: before.size,
      mastersAfter: after.size,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cluster.disconnect();
    this.replicaReader?.close();
  }

  private wrap(client: Redis): ClusterMasterNode {
    let node = this.wrapped.get(client);
    if (!node) {
      const blockedBy = configBlockedBy(this.env.redis.provider);
      node = new ClusterMasterNode(new IoRedisNode(client, blockedBy), this.cluster, this.counter);
      this.wrapped.set(client, node);
    }
    return node;
  }

  private masterClients(): { address: string; client: Redis }[] {
    return this.cluster.nodes('master').map((client) => ({ address: this.wrap(client).address, client }));
  }
}

/** The session store of an environment's Redis Cluster (see `ClusterSessionStore`). */
export function openClusterStore(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): OpenSessionStore {
  let options: RedisConnectOptions;
  try {
    options = redisConnectOptions(env, processEnv);
  } catch (err) {
    return {
      nodes: [unusableNode(clusterSeedsText(env), err instanceof Error ? err.message : String(err))],
      close: async () => undefined,
      topology: 'cluster',
    };
  }
  return new ClusterSessionStore(env, options);
}
