import type { EnvironmentConfig } from '../../config/config.js';
import type { AdminNode } from '../../core/ports/redis-admin.js';
import { RedisAdminError, type RedisAdminErrorKind } from '../../core/ports/redis-admin-error.js';
import { clusterSeeds } from './cluster-client.js';
import { joinHostPort, parseClusterNodes } from './cluster-nodes.js';
import { openRedisAdmin, type OpenRedisAdmin, type OpenRedisNodeAdmin, type RedisAdminOptions } from './redis-admin.js';

/**
 * The remediation actions' Redis on a Redis Cluster: every master and replica, each through its own
 * fail-closed admin connection (`openRedisAdmin`: no offline queue, no retries, admin credentials). The
 * nodes are read once per use with `CLUSTER NODES` from the first seed that answers, so a preview and
 * its apply each see the cluster as it is then. A node the bot cannot reach fails its own calls only.
 */
export class ClusterAdmin implements OpenRedisAdmin {
  private readonly scheme: 'redis' | 'rediss';
  private readonly admins = new Map<string, OpenRedisNodeAdmin>();
  private discovered: Promise<AdminNode[]> | undefined;

  constructor(
    private readonly env: Pick<EnvironmentConfig, 'name' | 'redis'>,
    private readonly opts: RedisAdminOptions,
  ) {
    this.scheme = env.redis.url.startsWith('rediss://') ? 'rediss' : 'redis';
  }

  /** The cluster's nodes, read once and shared by the calls made meanwhile; a failed read is tried again next time. */
  topology(): Promise<AdminNode[]> {
    this.discovered ??= this.discover().catch((err: unknown) => {
      this.discovered = undefined;
      throw err;
    });
    return this.discovered;
  }

  async nodes(): Promise<string[]> {
    return (await this.topology()).map((n) => n.address);
  }

  async configGet(node: string, parameter: string): Promise<string> {
    return (await this.nodeAdmin(node)).configGet(node, parameter);
  }

  async configSet(node: string, parameter: string, value: string): Promise<void> {
    await (await this.nodeAdmin(node)).configSet(node, parameter, value);
  }

  async canConfigSet(): Promise<{ allowed: true } | { allowed: false; reason: string }> {
    const nodes = await this.topology();
    const answers = await Promise.all(nodes.map(async (n) => ({ n, can: await this.open(n.address).canConfigSet() })));
    const refused = answers.flatMap(({ n, can }) => (can.allowed ? [] : [`${n.address} (${n.role}): ${can.reason}`]));
    if (!refused.length) return { allowed: true };
    return {
      allowed: false,
      reason: `CONFIG SET is refused on ${refused.length} of ${nodes.length} cluster nodes: ${refused.join('; ')}`,
    };
  }

  async keyspace(): Promise<{ keys: number; expires: number }> {
    const parts = await Promise.all((await this.masters()).map((n) => this.open(n.address).keyspace()));
    return parts.reduce((sum, p) => ({ keys: sum.keys + p.keys, expires: sum.expires + p.expires }), {
      keys: 0,
      expires: 0,
    });
  }

  async countKeys(pattern: string, maxScanned: number): Promise<{ matched: number; complete: boolean }> {
    const list = await this.masters();
    const budget = Math.max(1, Math.ceil(maxScanned / Math.max(1, list.length)));
    const parts = await Promise.all(list.map((n) => this.open(n.address).countKeys(pattern, budget)));
    return { matched: parts.reduce((s, p) => s + p.matched, 0), complete: parts.every((p) => p.complete) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.admins.values()].map((a) => a.close()));
    this.admins.clear();
  }

  private open(address: string): OpenRedisNodeAdmin {
    let a = this.admins.get(address);
    if (!a) {
      a = openRedisAdmin({ ...this.opts, url: `${this.scheme}://${address}` });
      this.admins.set(address, a);
    }
    return a;
  }

  private async masters(): Promise<AdminNode[]> {
    return (await this.topology()).filter((n) => n.role === 'master');
  }

  private async nodeAdmin(node: string): Promise<OpenRedisNodeAdmin> {
    if (!(await this.topology()).some((n) => n.address === node)) {
      const message = `Redis node ${node} is not a node of the cluster of environment "${this.env.name}" (any more).`;
      throw new RedisAdminError(message, 'other', node);
    }
    return this.open(node);
  }

  /** The nodes as the first seed that answers `CLUSTER NODES` tells them (a Sentinel set asks its sentinels). */
  protected async discover(): Promise<AdminNode[]> {
    const errors: string[] = [];
    const kinds = new Set<RedisAdminErrorKind>();
    const seeds = clusterSeeds(this.env).map((s) => joinHostPort(s.host, s.port));
    for (const address of seeds) {
      try {
        const nodes = parseClusterNodes(await this.open(address).clusterNodes(), this.env.redis.natMap);
        if (nodes.length) return nodes;
        errors.push(`${address}: CLUSTER NODES listed no node`);
        kinds.add('other');
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
        kinds.add(err instanceof RedisAdminError ? err.kind : 'other');
      }
    }
    const [only] = kinds;
    const message = `No seed node of the Redis Cluster of environment "${this.env.name}" told its nodes (CLUSTER NODES)`;
    throw new RedisAdminError(
      `${message}: ${errors.join('; ')}`,
      kinds.size === 1 && only !== undefined ? only : 'other',
      seeds.join(', '),
      'CLUSTER NODES',
    );
  }
}

/** The admin port of an environment's Redis Cluster (see `ClusterAdmin`). */
export function openClusterAdmin(
  env: Pick<EnvironmentConfig, 'name' | 'redis'>,
  opts: RedisAdminOptions,
): OpenRedisAdmin {
  return new ClusterAdmin(env, opts);
}
