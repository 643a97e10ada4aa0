import type { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import type { RedisNodePort, SlotMapChange } from '../../core/ports/session-store.js';
import { clusterError, clusterSeedsText, compareAddresses, connectCluster, readyCluster } from './cluster-client.js';
import { ClusterMasterNode, type RedirectCounter } from './cluster-master-node.js';
import { migratingSlots, movedSlots, readSlotMap, type SlotMapReading } from './slot-map.js';
import { redisConnectOptions } from './connect-options.js';
import { IoRedisNode } from './redis-node.js';
import { unusableNode, type OpenSessionStore } from './unusable-node.js';

/**
 * The session store of a Redis Cluster: its `nodes` are the masters (each with its own connection,
 * owned by ioredis' Cluster client), read as of the last `refresh()`. A diagnosis refreshes once at its
 * start, so all its checks see the same masters; when the cluster cannot be reached, `nodes` is one
 * node whose every call fails with the reason, so the Redis checks report it and the others still run.
 */
export function openClusterStore(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): OpenSessionStore {
  let options;
  try {
    options = redisConnectOptions(env, processEnv);
  } catch (err) {
    return {
      nodes: [unusableNode(clusterSeedsText(env), (err as Error).message)],
      close: async () => undefined,
      topology: 'cluster',
    };
  }
  const cluster = connectCluster(env, options);
  const counter: RedirectCounter = { redirects: 0 };
  const wrapped = new WeakMap<Redis, ClusterMasterNode>();
  const wrap = (client: Redis): ClusterMasterNode => {
    let node = wrapped.get(client);
    if (!node) {
      node = new ClusterMasterNode(new IoRedisNode(client), cluster, counter);
      wrapped.set(client, node);
    }
    return node;
  };
  const masterClients = () => cluster.nodes('master').map((client) => ({ address: wrap(client).address, client }));
  /**
   * The slot map as of the last refresh: what a diagnosis compares the end of its scan with. One per
   * store: when two diagnoses of the same environment overlap (the bot shares the store), the later
   * refresh moves the baseline and resets the redirect count, so the earlier one may miss a change that
   * happened before the later one began.
   */
  let baseline: SlotMapReading | undefined;
  let failure: string | undefined;
  let closed = false;
  const masters = (): RedisNodePort[] => {
    if (failure !== undefined) return [unusableNode(clusterSeedsText(env), failure)];
    const list = cluster.nodes('master');
    if (!list.length)
      return [
        unusableNode(clusterSeedsText(env), `The Redis Cluster at ${clusterSeedsText(env)} has not been reached yet.`),
      ];
    return list.map(wrap).sort((a, b) => compareAddresses(a.address, b.address));
  };
  return {
    topology: 'cluster',
    get nodes() {
      return masters();
    },
    async refresh() {
      if (closed) return;
      try {
        await readyCluster(cluster, Math.max(env.redis.connectTimeoutMs, 1000));
        failure = undefined;
        counter.redirects = 0;
        baseline = await readSlotMap(masterClients());
      } catch (err) {
        failure = clusterError(env, cluster, err, options.username ?? 'default').message;
        baseline = undefined;
      }
    },
    async slotMapChanges(): Promise<SlotMapChange> {
      const before = baseline ?? new Map();
      const after = failure === undefined && !closed ? await readSlotMap(masterClients()) : new Map();
      const moved = movedSlots(before, after);
      const migrating = migratingSlots(before, after);
      const sameMasters = before.size === after.size && [...before.keys()].every((a) => after.has(a));
      return {
        changed: moved > 0 || migrating.length > 0 || counter.redirects > 0 || !sameMasters,
        movedSlots: moved,
        migratingSlots: migrating.slice(0, 20),
        redirects: counter.redirects,
        mastersBefore: before.size,
        mastersAfter: after.size,
      };
    },
    close: async () => {
      closed = true;
      cluster.disconnect();
    },
  };
}
