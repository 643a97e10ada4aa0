import type { EnvironmentConfig } from '../../config/config.js';
import type { AdminNode } from '../../core/ports/redis-admin.js';
import { RedisAdminError } from '../../core/ports/redis-admin-error.js';
import { ClusterAdmin } from './cluster-admin.js';
import type { OpenRedisAdmin, RedisAdminOptions } from './redis-admin.js';
import type { SentinelConnect } from './sentinel-options.js';
import { readSentinelTopology } from './sentinel-topology.js';

const DOWN_FLAGS = ['s_down', 'o_down', 'disconnected'];

/**
 * The remediation actions' Redis behind Sentinel: the master and every replica (a replica becomes the
 * master at a failover, so a setting must hold there too), each through its own fail-closed admin
 * connection, as on a Redis Cluster. The nodes are read once per use from the first sentinel that answers.
 */
export class SentinelAdmin extends ClusterAdmin {
  readonly topologyName: string;

  constructor(
    private readonly environment: Pick<EnvironmentConfig, 'name' | 'redis'>,
    opts: RedisAdminOptions,
    private readonly sentinel: SentinelConnect,
  ) {
    super(environment, opts);
    this.topologyName = `Redis Sentinel set ${sentinel.name}`;
  }

  protected override async discover(): Promise<AdminNode[]> {
    let t;
    try {
      t = await readSentinelTopology(this.sentinel, Math.max(this.environment.redis.connectTimeoutMs, 1000));
    } catch (err) {
      const message = `${err instanceof Error ? err.message : String(err)} (environment "${this.environment.name}")`;
      const where = this.sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(', ');
      throw new RedisAdminError(message, 'unreachable', where, 'SENTINEL GET-MASTER-ADDR-BY-NAME');
    }
    return [
      { address: t.master, role: 'master', failing: false },
      ...t.replicas.map((r) => ({
        address: r.address,
        role: 'replica' as const,
        failing: r.flags.some((f) => DOWN_FLAGS.includes(f)),
      })),
    ];
  }
}

/** The admin port of an environment with `redis.sentinel` (see `SentinelAdmin`). */
export function openSentinelAdmin(
  env: Pick<EnvironmentConfig, 'name' | 'redis'>,
  opts: RedisAdminOptions,
  sentinel: SentinelConnect,
): OpenRedisAdmin {
  return new SentinelAdmin(env, opts, sentinel);
}
