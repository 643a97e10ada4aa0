import type { EnvironmentConfig } from '../../config/config.js';
import type { AdminNode } from '../../core/ports/redis-admin.js';
import { clusterSeeds, compareAddresses, splitHostPort } from './cluster-client.js';
import {
  openRedisAdmin,
  RedisAdminError,
  type OpenRedisAdmin,
  type OpenRedisNodeAdmin,
  type RedisAdminErrorKind,
  type RedisAdminOptions,
} from './redis-admin.js';

/** `host:port`, IPv6 hosts in brackets. */
const joinHostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * The nodes of `CLUSTER NODES`, masters first: address (through `natMap` when the node announces one the
 * bot cannot reach), role, and whether the cluster marks it failing. Nodes without an address (`noaddr`)
 * or still joining (`handshake`) are left out: nothing can be sent to them.
 *
 * @example
 * parseClusterNodes('07c3… 127.0.0.1:30004@31004 slave e7d1… 0 1426238317239 4 connected\n')
 * // [{ address: '127.0.0.1:30004', role: 'replica', failing: false }]
 */
export function parseClusterNodes(text: string, natMap: Readonly<Record<string, string>> = {}): AdminNode[] {
  const nodes: AdminNode[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [, addressField, flagsField] = line.trim().split(' ');
    if (!addressField || !flagsField) continue;
    const flags = flagsField.split(',');
    if (flags.includes('noaddr') || flags.includes('handshake')) continue;
    const announced = addressField.split('@')[0] as string;
    const { host, port } = splitHostPort(announced);
    if (!host || !port) continue;
    const key = joinHostPort(host, port);
    const address = natMap[key] ?? key;
    const role = flags.includes('master') ? 'master' : flags.includes('slave') ? 'replica' : undefined;
    if (!role) continue;
    nodes.push({ address, role, failing: flags.includes('fail') || flags.includes('fail?') });
  }
  const byAddress = (a: AdminNode, b: AdminNode) => compareAddresses(a.address, b.address);
  return [
    ...nodes.filter((n) => n.role === 'master').sort(byAddress),
    ...nodes.filter((n) => n.role === 'replica').sort(byAddress),
  ];
}

/**
 * The remediation actions' Redis on a Redis Cluster: every master and replica, each through its own
 * fail-closed admin connection (`openRedisAdmin`: no offline queue, no retries, admin credentials). The
 * nodes are read once per use with `CLUSTER NODES` from the first seed that answers, so a preview and
 * its apply each see the cluster as it is then. A node the bot cannot reach fails its own calls only.
 */
export function openClusterAdmin(
  env: Pick<EnvironmentConfig, 'name' | 'redis'>,
  opts: RedisAdminOptions,
): OpenRedisAdmin {
  const scheme = env.redis.url.startsWith('rediss://') ? 'rediss' : 'redis';
  const admins = new Map<string, OpenRedisNodeAdmin>();
  const open = (address: string): OpenRedisNodeAdmin => {
    let a = admins.get(address);
    if (!a) {
      a = openRedisAdmin({ ...opts, url: `${scheme}://${address}` });
      admins.set(address, a);
    }
    return a;
  };
  let discovered: Promise<AdminNode[]> | undefined;

  async function discover(): Promise<AdminNode[]> {
    const errors: string[] = [];
    const kinds = new Set<RedisAdminErrorKind>();
    for (const seed of clusterSeeds(env)) {
      const address = joinHostPort(seed.host, seed.port);
      try {
        const nodes = parseClusterNodes(await open(address).clusterNodes(), env.redis.natMap);
        if (nodes.length) return nodes;
        errors.push(`${address}: CLUSTER NODES listed no node`);
        kinds.add('other');
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
        kinds.add(err instanceof RedisAdminError ? err.kind : 'other');
      }
    }
    throw new RedisAdminError(
      `No seed node of the Redis Cluster of environment "${env.name}" told its nodes (CLUSTER NODES): ${errors.join('; ')}`,
      kinds.size === 1 ? ([...kinds][0] as RedisAdminErrorKind) : 'other',
      clusterSeeds(env)
        .map((s) => joinHostPort(s.host, s.port))
        .join(', '),
      'CLUSTER NODES',
    );
  }

  const topology = () => {
    discovered ??= discover().catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  };

  async function nodeAdmin(node: string): Promise<OpenRedisNodeAdmin> {
    if (!(await topology()).some((n) => n.address === node)) {
      throw new RedisAdminError(
        `Redis node ${node} is not a node of the cluster of environment "${env.name}" (any more).`,
        'other',
        node,
      );
    }
    return open(node);
  }

  const masters = async () => (await topology()).filter((n) => n.role === 'master');

  return {
    topology,
    async nodes() {
      return (await topology()).map((n) => n.address);
    },
    async configGet(node, parameter) {
      return (await nodeAdmin(node)).configGet(node, parameter);
    },
    async configSet(node, parameter, value) {
      await (await nodeAdmin(node)).configSet(node, parameter, value);
    },
    async canConfigSet() {
      const nodes = await topology();
      const answers = await Promise.all(nodes.map(async (n) => ({ n, can: await open(n.address).canConfigSet() })));
      const refused = answers.flatMap(({ n, can }) => (can.allowed ? [] : [`${n.address} (${n.role}): ${can.reason}`]));
      if (!refused.length) return { allowed: true };
      return {
        allowed: false,
        reason: `CONFIG SET is refused on ${refused.length} of ${nodes.length} cluster nodes: ${refused.join('; ')}`,
      };
    },
    async keyspace() {
      const parts = await Promise.all((await masters()).map((n) => open(n.address).keyspace()));
      return parts.reduce((sum, p) => ({ keys: sum.keys + p.keys, expires: sum.expires + p.expires }), {
        keys: 0,
        expires: 0,
      });
    },
    async countKeys(pattern, maxScanned) {
      const list = await masters();
      const budget = Math.max(1, Math.ceil(maxScanned / Math.max(1, list.length)));
      const parts = await Promise.all(list.map((n) => open(n.address).countKeys!(pattern, budget)));
      return { matched: parts.reduce((s, p) => s + p.matched, 0), complete: parts.every((p) => p.complete) };
    },
    async close() {
      await Promise.all([...admins.values()].map((a) => a.close()));
      admins.clear();
    },
  };
}
