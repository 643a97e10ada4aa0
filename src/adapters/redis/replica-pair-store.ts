import type { EnvironmentConfig } from '../../config/config.js';
import { configBlockedBy } from '../../config/redis-provider.js';
import type { RedisNodePort, ReplicaReads } from '../../core/ports/session-store.js';
import { HeldNode } from './held-node.js';
import type { RedisConnectOptions } from './redis-node.js';
import { chooseReplica } from './replica-choice.js';
import type { OpenSessionStore } from './unusable-node.js';

/**
 * A plain primary with replicas (`redis.replicas`): `nodes` is the primary (INFO, CONFIG, the checks that
 * need the primary), `readNodes` the replica chosen at each `refresh()` (linked, least behind), so that the
 * sampler and `--full` send nothing to the primary. No healthy replica: the primary is read, and
 * `replicaReads()` says why.
 */
export class ReplicaPairStore implements OpenSessionStore {
  readonly topology = 'standalone';
  private readonly primary: HeldNode;
  private readonly replicas: HeldNode[];
  private reads: ReplicaReads | undefined;
  private chosen: HeldNode | undefined;
  private closed = false;

  constructor(
    private readonly env: EnvironmentConfig,
    options: RedisConnectOptions,
  ) {
    const blockedBy = configBlockedBy(env.redis.provider);
    this.primary = new HeldNode(options, blockedBy);
    this.replicas = (env.redis.replicas ?? []).map((url) => new HeldNode({ ...options, url }, blockedBy));
  }

  get nodes(): RedisNodePort[] {
    return [this.primary.node()];
  }

  get readNodes(): RedisNodePort[] | undefined {
    return this.chosen ? [this.chosen.node()] : undefined;
  }

  replicaReads(): ReplicaReads | undefined {
    return this.reads;
  }

  async refresh(): Promise<void> {
    if (this.closed) return;
    const primary = this.primary.node();
    const base = { primaries: [primary.address] };
    if (this.env.redis.readFrom === 'primary') {
      this.chosen = undefined;
      const replicas = this.replicas.map((r) => ({
        address: r.node().address,
        link: null,
        lagBytes: null,
        lastIoSeconds: null,
      }));
      this.reads = { ...base, mode: 'primary', readFrom: [], replicas };
      return;
    }
    const { readings, chosen } = await chooseReplica(
      primary,
      this.replicas.map((r) => r.node()),
    );
    this.chosen = chosen === undefined ? undefined : this.replicas[chosen];
    const readFrom = chosen === undefined ? [] : [readings[chosen]?.address ?? ''];
    this.reads = {
      ...base,
      mode: 'replica',
      readFrom,
      replicas: readings,
      ...(readFrom.length ? {} : { fallback: 'no replica is linked and close enough to the primary' }),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.primary.close();
    for (const r of this.replicas) r.close();
  }
}
