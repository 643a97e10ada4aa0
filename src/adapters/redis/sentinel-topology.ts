import { Redis } from 'ioredis';
import { z } from 'zod';
import type { SentinelConnect } from './sentinel-options.js';

/** A replica as `SENTINEL replicas` lists it. */
export interface SentinelReplicaEntry {
  address: string;
  /** `slave`, plus `s_down`, `o_down`, `disconnected` when the sentinel sees a problem. */
  flags: string[];
  masterLinkStatus: string | undefined;
}

/** What one sentinel told about the master it monitors under `name`. */
export interface SentinelTopology {
  sentinel: string;
  master: string;
  replicas: SentinelReplicaEntry[];
}

const masterReply = z.tuple([z.string(), z.string()]).nullable();
const replicasReply = z.array(z.array(z.string()));

function pairs(flat: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i] ?? '', flat[i + 1] ?? '');
  return out;
}

async function ask(s: SentinelConnect, host: string, port: number, timeoutMs: number): Promise<SentinelTopology> {
  const c = new Redis({
    host,
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    disableClientInfo: true,
    ...(s.sentinelUsername !== undefined ? { username: s.sentinelUsername } : {}),
    ...(s.sentinelPassword !== undefined ? { password: s.sentinelPassword } : {}),
    ...(s.tls !== undefined ? { tls: s.tls } : {}),
  });
  // The socket's own error (ECONNREFUSED, ENOTFOUND) says more than the "Connection is closed" connect() rejects with.
  let socketError: unknown;
  c.on('error', (e: unknown) => (socketError = e));
  try {
    await c.connect().catch((err: unknown) => {
      throw socketError ?? err;
    });
    const master = masterReply.parse(await c.call('SENTINEL', 'get-master-addr-by-name', s.name));
    if (!master) throw new Error(`it monitors no master named ${s.name} (check redis.sentinel.masterName)`);
    const rows = replicasReply.parse(await c.call('SENTINEL', 'replicas', s.name)).map(pairs);
    return {
      sentinel: `${host}:${port}`,
      master: `${master[0]}:${master[1]}`,
      replicas: rows.map((r) => ({
        address: `${r.get('ip') ?? '?'}:${r.get('port') ?? '?'}`,
        flags: (r.get('flags') ?? '').split(',').filter(Boolean),
        masterLinkStatus: r.get('master-link-status'),
      })),
    };
  } finally {
    c.disconnect();
  }
}

function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/WRONGPASS|NOAUTH|invalid password/i.test(text))
    return 'it refused the credentials (redis.sentinel.usernameEnv / passwordEnv)';
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * Asks the sentinels, in the configured order, for the master and its replicas (`SENTINEL
 * get-master-addr-by-name`, `SENTINEL replicas`); the first that answers wins. Throws one message naming
 * every sentinel tried and why it did not answer; never a password.
 */
export async function readSentinelTopology(s: SentinelConnect, timeoutMs: number): Promise<SentinelTopology> {
  const errors: string[] = [];
  for (const { host, port } of s.sentinels) {
    try {
      return await ask(s, host, port, timeoutMs);
    } catch (err) {
      errors.push(`${host}:${port}: ${reason(err)}`);
    }
  }
  throw new Error(`No sentinel named the master ${s.name}: ${errors.join('; ')}`);
}
