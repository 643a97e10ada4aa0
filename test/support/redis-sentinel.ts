import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually } from './eventually.js';
import { freePort, startRedisServer, type RedisServerHandle } from './redis-server.js';

export interface StartSentinelOptions {
  masterName?: string;
  /** Extra redis-server args of each replica (its length is the number of replicas, default two plain ones). */
  replicaArgs?: string[][];
  /** Extra args of the primary. */
  primaryArgs?: string[];
  /** How many sentinels (default 3, quorum 2). */
  sentinels?: number;
  /** The sentinels' own password (`requirepass`; they authenticate to each other with `sentinel sentinel-pass`). */
  sentinelPassword?: string;
}

export interface SentinelProcess {
  port: number;
  address: string;
  process: ChildProcess;
  output(): string;
}

/**
 * A primary, its replicas and the sentinels that watch them, all on loopback: what the Bitnami chart runs.
 * Failure detection is short (down-after 1 s, failover-timeout 5 s) so that a test's failover takes seconds.
 */
export interface RedisSentinelHandle {
  masterName: string;
  primary: RedisServerHandle;
  replicas: RedisServerHandle[];
  sentinels: SentinelProcess[];
  /** The sentinels as `host:port`, as `redis.sentinel.nodes` takes them. */
  sentinelNodes: string[];
  /** The master's address as the first sentinel names it now. */
  currentMaster(): Promise<string>;
  /** Asks a sentinel to fail over now (SENTINEL FAILOVER) and waits until every sentinel names the new master. */
  failover(timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** A sentinel to ask, with its password when it has one. */
interface SentinelTarget {
  address: string;
  password?: string | undefined;
}

async function sentinelAsk<T>(target: SentinelTarget, run: (c: Redis) => Promise<T>): Promise<T> {
  const [host, port] = target.address.split(':');
  const c = new Redis({
    host,
    port: Number(port),
    ...(target.password ? { password: target.password } : {}),
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await run(c);
  } finally {
    c.disconnect();
  }
}

async function masterOf(target: SentinelTarget, name: string): Promise<string> {
  const reply = await sentinelAsk(target, (c) => c.call('SENTINEL', 'get-master-addr-by-name', name));
  if (!Array.isArray(reply)) throw new Error(`sentinel ${target.address} knows no master ${name}`);
  return reply.join(':');
}

async function launchSentinel(
  dir: string,
  i: number,
  name: string,
  masterPort: number,
  password: string | undefined,
): Promise<SentinelProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${i}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'protected-mode no',
        'daemonize no',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        ...(password ? [`requirepass ${password}`, `sentinel sentinel-pass ${password}`] : []),
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (d: Buffer) => (output += d.toString());
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const started = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sentinel did not start on ${port}:\n${output}`)), 30_000);
      child.stdout?.on('data', () => {
        if (/\+monitor master/.test(output)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        if (/Address already in use/.test(output) && attempt < 5) resolve(false);
        else reject(new Error(`sentinel exited:\n${output}`));
      });
    });
    if (started) return { port, address: `127.0.0.1:${port}`, process: child, output: () => output };
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Every sentinel knows every replica as up and linked (a forced failover needs a good replica). */
async function goodReplicas(sentinel: SentinelTarget, name: string): Promise<number> {
  const reply = await sentinelAsk(sentinel, (c) => c.call('SENTINEL', 'replicas', name));
  const rows = (reply as string[][]).map((r) => new Map(r.flatMap((v, k) => (k % 2 ? [] : [[v, r[k + 1]]]))));
  return rows.filter((r) => r.get('flags') === 'slave' && r.get('master-link-status') === 'ok').length;
}

/** Every sentinel knows every replica as up and linked (a forced failover needs a good replica). */
async function waitUntilWatched(sentinels: SentinelTarget[], name: string, replicas: number): Promise<void> {
  let seen: number[] = [];
  await eventually(
    `every sentinel to see ${replicas} linked replicas`,
    async () => {
      seen = await Promise.all(sentinels.map((s) => goodReplicas(s, name)));
      return seen.every((n) => n >= replicas);
    },
    { timeoutMs: 40_000, intervalMs: 200, detail: () => seen },
  );
}

export async function startRedisSentinel(opts: StartSentinelOptions = {}): Promise<RedisSentinelHandle> {
  const masterName = opts.masterName ?? 'mymaster';
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-'));
  const started: RedisServerHandle[] = [];
  const sentinels: SentinelProcess[] = [];
  const stop = async () => {
    await Promise.all([...sentinels.map((s) => stopChild(s.process)), ...started.map((s) => s.stop())]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // A replica's full sync writes an RDB file in its working directory: the set's own, not the checkout.
    const dirArgs = ['--dir', dir];
    const primary = await startRedisServer([...dirArgs, ...(opts.primaryArgs ?? [])]);
    started.push(primary);
    const replicas: RedisServerHandle[] = [];
    for (const args of opts.replicaArgs ?? [[], []]) {
      const r = await startRedisServer([...dirArgs, '--replicaof', '127.0.0.1', String(primary.port), ...args]);
      started.push(r);
      replicas.push(r);
    }
    for (let i = 0; i < (opts.sentinels ?? 3); i++)
      sentinels.push(await launchSentinel(dir, i, masterName, primary.port, opts.sentinelPassword));
    const sentinelNodes = sentinels.map((s) => s.address);
    const targets = sentinelNodes.map((address) => ({ address, password: opts.sentinelPassword }));
    await waitUntilWatched(targets, masterName, replicas.length);
    const first = targets[0] ?? { address: '' };
    return {
      masterName,
      primary,
      replicas,
      sentinels,
      sentinelNodes,
      currentMaster: () => masterOf(first, masterName),
      async failover(timeoutMs = 30_000) {
        const before = await masterOf(first, masterName);
        await sentinelAsk(first, (c) => c.call('SENTINEL', 'FAILOVER', masterName));
        let named: string[] = [];
        await eventually(
          'every sentinel to name the new master',
          async () => {
            named = await Promise.all(targets.map((s) => masterOf(s, masterName)));
            return named[0] !== before && named.every((m) => m === named[0]);
          },
          { timeoutMs, intervalMs: 100, detail: () => named },
        );
        const after = named[0] ?? before;
        return after;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
