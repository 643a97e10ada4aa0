import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, isPortTaken, startRedisServer, type RedisServerHandle } from '../../src/demo/redis-process.js';

/** A throwaway local Redis Cluster: its masters first, then its replicas. */
export interface RedisClusterHandle {
  /** Every node, masters first (in slot order at creation), then replicas. */
  nodes: RedisServerHandle[];
  masters: RedisServerHandle[];
  replicas: RedisServerHandle[];
  /** `redis://127.0.0.1:<port>` of the first master: a seed for cluster clients. */
  url: string;
  /** With `tls`: each node's TLS port (aligned with `nodes`), and `rediss://` of the first master. */
  tlsPorts: number[];
  tlsUrl?: string;
  /** Waits until every node reports `cluster_state:ok` and sees the masters and replicas in their roles. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  masters?: number;
  /** Replicas per master. */
  replicas?: number;
  /** Extra redis-server arguments for every node. */
  extraArgs?: string[];
  /**
   * `cluster-node-timeout` in ms (default 15 s): a loaded machine can deschedule a node for seconds,
   * and a short timeout then fails over a master nobody asked to fail over.
   */
  nodeTimeoutMs?: number;
  /**
   * A TLS port on every node besides the plain one (`tls-cluster yes`: the bus and replication too). Nodes
   * announce the TLS ports to TLS clients and the plain ones to plain clients (CLUSTER SLOTS, MOVED).
   */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

/** The TLS arguments of one node, on a free port. */
async function tlsArgs(tls: StartClusterOptions['tls']): Promise<{ port?: number; args: string[] }> {
  if (!tls) return { args: [] };
  const port = await freePort();
  const files = ['--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile];
  const modes = ['--tls-cluster', 'yes', '--tls-replication', 'yes', '--tls-auth-clients', 'no'];
  return { port, args: ['--tls-port', String(port), ...files, ...modes] };
}

function run(bin: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${bin} ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

/** One node's CLUSTER INFO, plus how many masters and replicas its CLUSTER NODES lists. */
async function clusterInfo(port: number): Promise<Record<string, string>> {
  const c = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const text = (await c.call('CLUSTER', 'INFO')) as string;
    const nodes = ((await c.call('CLUSTER', 'NODES')) as string).split('\n').filter(Boolean);
    const flags = nodes.map((l) => l.split(' ')[2] ?? '');
    return {
      ...Object.fromEntries(
        text
          .split(/\r?\n/)
          .filter((l) => l.includes(':'))
          .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
      ),
      masters_seen: String(flags.filter((f) => f.includes('master')).length),
      replicas_seen: String(flags.filter((f) => f.includes('slave')).length),
    };
  } finally {
    c.disconnect();
  }
}

/**
 * Starts `masters` cluster-enabled redis-servers (and `replicas` per master) on free loopback ports,
 * joins them with `redis-cli --cluster create` and waits for `cluster_state:ok` everywhere. Each node's
 * cluster bus has its own free port (`cluster-port`), and its `nodes.conf` lives in a temporary folder
 * removed by `stop()`.
 */
export async function startRedisCluster(opts: StartClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicas ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'session-ttl-cluster-'));
  const nodes: RedisServerHandle[] = [];
  const tlsPorts: number[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const count = masters * (1 + replicas);
    for (let i = 0; i < count; i++) {
      // The bus port, like the client port, may be taken between choosing it and binding it: another one then.
      for (let attempt = 1; ; attempt++) {
        const busPort = await freePort();
        const tls = await tlsArgs(opts.tls);
        try {
          nodes.push(
            await startRedisServer([
              '--cluster-enabled',
              'yes',
              '--cluster-port',
              String(busPort),
              '--cluster-config-file',
              join(dir, `nodes-${i}-${busPort}.conf`),
              '--cluster-node-timeout',
              String(opts.nodeTimeoutMs ?? 15_000),
              '--dir',
              dir,
              ...tls.args,
              ...(opts.extraArgs ?? []),
            ]),
          );
          if (tls.port !== undefined) tlsPorts.push(tls.port);
          break;
        } catch (err) {
          if (attempt >= 5 || !isPortTaken(err)) throw err;
        }
      }
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      60_000,
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  // redis-cli --cluster create makes the first `masters` addresses the masters, in order.
  const handle: RedisClusterHandle = {
    nodes,
    masters: nodes.slice(0, masters),
    replicas: nodes.slice(masters),
    url: `redis://127.0.0.1:${nodes[0]!.port}`,
    tlsPorts,
    ...(tlsPorts.length ? { tlsUrl: `rediss://127.0.0.1:${tlsPorts[0]}` } : {}),
    async waitHealthy(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: string;
      for (;;) {
        try {
          const infos = await Promise.all(nodes.map((n) => clusterInfo(n.port)));
          // Every node must also see every replica as one: a node announces its new role by gossip, and
          // until then others list it as a master without slots.
          const ok = infos.every(
            (i) =>
              i.cluster_state === 'ok' &&
              Number(i.cluster_size) === masters &&
              Number(i.cluster_known_nodes) === nodes.length &&
              Number(i.masters_seen) === masters &&
              Number(i.replicas_seen) === nodes.length - masters,
          );
          if (ok) return;
          last = JSON.stringify(
            infos.map((i) => [i.cluster_state, i.cluster_size, i.cluster_known_nodes, i.masters_seen, i.replicas_seen]),
          );
        } catch (err) {
          last = (err as Error).message;
        }
        if (Date.now() > deadline)
          throw new Error(`the local Redis Cluster did not become healthy in ${timeoutMs} ms: ${last}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: stopAll,
  };
  await handle.waitHealthy();
  return handle;
}
