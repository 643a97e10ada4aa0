import type { ConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import {
  ConfigNotAllowedError,
  type KeyName,
  type KeyspaceAuditRequest,
  type KeyspaceAuditResult,
  type Pttl,
  type RedisNodePort,
} from '../../core/ports/session-store.js';
import { trackConnectionErrors } from './connection-errors.js';
import { leanAudit } from './lean-audit.js';
import { configGetValue, hashOf } from './replies.js';
import { RespSocket, type RespEndpoint } from './resp-socket.js';
import { scriptAudit, ScriptRefusedError, twoCursorsFit } from './script-audit.js';
import { classifyRedisError, replyPrefix, type RedisSourceError } from './redis-error.js';
import { sentinelClientOptions, type SentinelConnect } from './sentinel-options.js';

/** Parses the text of `INFO` into key/value pairs (section headers and blank lines skipped). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Sums `keys=` and `expires=` over the `dbN:` lines of INFO keyspace. */
export function parseKeyspace(info: Record<string, string>): { keys: number; expires: number } {
  let keys = 0;
  let expires = 0;
  for (const [k, v] of Object.entries(info)) {
    if (!/^db\d+$/.test(k)) continue;
    keys += Number(/keys=(\d+)/.exec(v)?.[1] ?? 0);
    expires += Number(/expires=(\d+)/.exec(v)?.[1] ?? 0);
  }
  return { keys, expires };
}

/** `host:port` an ioredis client connects to (a cluster's node connections included); never a password. */
export function clientAddress(client: Redis): string {
  return `${client.options.host ?? '127.0.0.1'}:${client.options.port ?? 6379}`;
}

/**
 * A `RedisNodePort` over one ioredis connection. Commands that the checks send in batches go
 * through ioredis pipelines, so a batch costs one round trip. Every failure leaves as a
 * `RedisSourceError` naming the command (`ConfigNotAllowedError`, a subclass, for a refused CONFIG).
 */
export class IoRedisNode implements RedisNodePort {
  readonly address: string;
  private readonly user: string;
  private readonly lastConnectionError: () => Error | undefined;

  /**
   * `configBlockedBy`: the managed service that blocks CONFIG (`redis.provider`); then `configGet` fails
   * with `ConfigNotAllowedError` without sending anything, and the checks read INFO.
   */
  constructor(
    readonly client: Redis,
    private readonly configBlockedBy?: string,
  ) {
    this.address = clientAddress(client);
    // Without a configured user Redis authenticates the connection as `default`, the user an ACL fix must name.
    this.user = client.options.username ?? 'default';
    this.lastConnectionError = trackConnectionErrors(client);
  }

  /** Runs one call and types what it throws; `command` is what a denial or timeout names. */
  private async call<T>(command: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.classify(err, command);
    }
  }

  private classify(err: unknown, command: string): RedisSourceError {
    return classifyRedisError(err, {
      address: this.address,
      command,
      user: this.user,
      lastConnectionError: this.lastConnectionError(),
    });
  }

  async info(section: string): Promise<Record<string, string>> {
    return parseInfo(await this.call('INFO', () => this.client.info(section)));
  }

  async configGet(name: string): Promise<string | undefined> {
    if (this.configBlockedBy !== undefined) {
      const message = `${this.configBlockedBy} blocks CONFIG (redis.provider): ${name} is read from INFO instead.`;
      throw new ConfigNotAllowedError(message, {
        kind: 'config_refused',
        address: this.address,
        command: 'CONFIG GET',
      });
    }
    try {
      return configGetValue(await this.client.config('GET', name));
    } catch (err) {
      const failure = this.classify(err, 'CONFIG GET');
      if (failure.kind !== 'config_refused' && failure.kind !== 'no_permission') throw failure;
      // Checks fall back to INFO on this subclass; the kind still tells a denial from a renamed CONFIG.
      throw new ConfigNotAllowedError(failure.message, {
        kind: failure.kind,
        address: failure.address,
        command: failure.command ?? 'CONFIG GET',
        ...(failure.code !== undefined ? { code: failure.code } : {}),
        ...(failure.aclRule !== undefined ? { aclRule: failure.aclRule } : {}),
        user: this.user,
      });
    }
  }

  // Keys are read as bytes: a key that is not valid UTF-8 decoded to text would name another key.
  async *scan(pattern: string, count: number): AsyncIterable<KeyName[]> {
    let cursor = '0';
    do {
      const [next, keys] = await this.call('SCAN', () =>
        this.client.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', count),
      );
      cursor = next.toString();
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }

  async pttl(keys: readonly (KeyName | string)[]): Promise<Pttl[]> {
    if (!keys.length) return [];
    const pipeline = this.client.pipeline();
    for (const k of keys) pipeline.pttl(k);
    const replies = (await this.call('PTTL', () => pipeline.exec())) ?? [];
    return replies.map(([err, v]) => {
      if (err) throw this.classify(err, 'PTTL');
      return Number(v);
    });
  }

  async readValues(keys: readonly (KeyName | string)[]): Promise<(string | Record<string, string> | undefined)[]> {
    if (!keys.length) return [];
    const pipeline = this.client.pipeline();
    for (const k of keys) pipeline.get(k);
    const replies = (await this.call('GET', () => pipeline.exec())) ?? [];
    const out: (string | Record<string, string> | undefined)[] = [];
    const hashes: { index: number; key: KeyName | string }[] = [];
    replies.forEach(([err, v], index) => {
      const key = keys[index];
      // A hash-shaped session answers GET with WRONGTYPE; it is read with HGETALL below.
      if (err && replyPrefix(err) === 'WRONGTYPE' && key !== undefined) hashes.push({ index, key });
      else if (err) throw this.classify(err, 'GET');
      out[index] = v == null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
    });
    if (hashes.length) {
      const hp = this.client.pipeline();
      for (const { key } of hashes) hp.hgetall(key);
      const hr = (await this.call('HGETALL', () => hp.exec())) ?? [];
      hr.forEach(([err, v], j) => {
        const at = hashes[j];
        if (at) out[at.index] = err ? undefined : hashOf(v);
      });
    }
    return out;
  }

  async time(): Promise<number> {
    const [sec, usec] = await this.call('TIME', () => this.client.time());
    return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  }

  async keyspace(): Promise<{ keys: number; expires: number }> {
    return parseKeyspace(await this.info('keyspace'));
  }

  /**
   * The maintenance-window pass over every key: one script per SCAN batch when the server runs it;
   * where scripting is refused (ACL without @scripting, EVAL disabled on a managed Redis) or configured
   * off, SCAN + PTTL as a raw RESP pipeline on a second connection with the same credentials.
   */
  async auditKeyspace(req: KeyspaceAuditRequest): Promise<KeyspaceAuditResult> {
    let fallbackReason = req.path === 'lean' ? 'the environment sets redis.audit.script: false' : undefined;
    if (req.path !== 'lean') {
      try {
        // A fast audit: two cursors share the keyspace where the server's SCAN is known to allow it.
        const halves = req.twoCursors === true && !req.pause && twoCursorsFit(await this.info('server'));
        const batches = await scriptAudit(this.client, req, halves);
        return { path: 'script', batches, ...(halves ? { cursors: 2 } : {}) };
      } catch (err) {
        if (!(err instanceof ScriptRefusedError)) throw this.classify(err, 'EVALSHA');
        fallbackReason = `${this.address} refused the audit script (${err.message})`;
      }
    }
    let conn: RespSocket;
    try {
      conn = await RespSocket.open(this.endpoint());
    } catch (err) {
      throw this.classify(err, 'AUTH');
    }
    try {
      const batches = await leanAudit(conn, req);
      return { path: 'lean', batches, ...(fallbackReason ? { fallbackReason } : {}) };
    } catch (err) {
      throw this.classify(err, 'SCAN');
    } finally {
      conn.close();
    }
  }

  /** Where the lean pass connects: exactly where, and as whom, the ioredis client did. */
  private endpoint(): RespEndpoint {
    const o = this.client.options;
    return {
      host: o.host ?? '127.0.0.1',
      port: o.port ?? 6379,
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
      ...(o.db ? { db: o.db } : {}),
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.connectTimeout ? { connectTimeoutMs: o.connectTimeout } : {}),
    };
  }
}

export interface RedisConnectOptions {
  url: string;
  password?: string;
  username?: string;
  connectTimeoutMs?: number;
  /** Fail commands instead of queueing them while disconnected. */
  commandTimeoutMs?: number;
  /** TLS of every connection (see `redisTlsOptions`); undefined: plain TCP. Holds the client key: never log it. */
  tls?: ConnectionOptions;
  /** Redis Sentinel: connect to the master these sentinels name (the URL then gives the db only). */
  sentinel?: SentinelConnect;
  /** A Cluster replica read directly: READONLY on every (re)connection, so keys of its master's slots answer. */
  readOnly?: boolean;
}

/**
 * Whether a connection waits for ioredis' ready check (INFO). Over TLS it must: with TLS 1.3 a server that
 * refuses the client's certificate says so after the handshake, and ioredis 5.11 without the ready check
 * declares the dead connection ready once its CLIENT SETINFO calls fail, then re-sends its queue in a busy
 * loop until a check times out. The ready check's callback ignores a connection that is gone.
 */
export function readyCheckFor(tls: ConnectionOptions | undefined): boolean {
  return tls !== undefined;
}

/** Longest pause between two reconnect attempts: a Redis back after an outage is used within this. */
export const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * Opens an ioredis client that fails fast and recovers by itself. It reconnects for ever with a
 * backoff (50 ms doubling, capped at `MAX_RECONNECT_DELAY_MS`), so a Redis restarted while the bot runs
 * is used again without a restart of the bot. While it is down, a command waits for at most the next
 * reconnect attempt (`maxRetriesPerRequest: 0` flushes the queue on each failed attempt) and then fails
 * with the connection error: a diagnosis during an outage says `unreachable` within about a second,
 * never hangs.
 */
export function connectRedis(opts: RedisConnectOptions): Redis {
  const options: RedisOptions = {
    lazyConnect: true,
    // The ready check sends INFO and, when an ACL refuses it, console.warns a raw line among the JSON logs.
    // Over TLS it stays on: see `readyCheckFor`.
    enableReadyCheck: readyCheckFor(opts.tls),
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    connectTimeout: opts.connectTimeoutMs ?? 3000,
    commandTimeout: opts.commandTimeoutMs,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), MAX_RECONNECT_DELAY_MS),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    ...(opts.readOnly ? { readOnly: true } : {}),
    ...sentinelClientOptions(opts.sentinel, opts.tls),
  };
  const client = new Redis(opts.url, options);
  // Errors surface through the commands that fail; without a listener ioredis would log them.
  client.on('error', () => undefined);
  return client;
}
