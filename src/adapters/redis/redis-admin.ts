import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import { UserError } from '../../core/errors.js';
import type { RedisAdminPort } from '../../core/ports/redis-admin.js';
import { RedisAdminError } from '../../core/ports/redis-admin-error.js';
import { redactedAddress } from './connect-options.js';
import { classifyAdminError } from './redis-admin-errors.js';
import { parseInfo, parseKeyspace } from './redis-node.js';
import { configGetValue } from './replies.js';
import { redisTlsOptions } from './tls-options.js';

export { RedisAdminError, type RedisAdminErrorKind } from '../../core/ports/redis-admin-error.js';

export interface RedisAdminOptions {
  url: string;
  username?: string;
  password?: string;
  connectTimeoutMs?: number;
  /** A command that takes longer fails as `unreachable` (default 5000). */
  commandTimeoutMs?: number;
  /** TLS, as the diagnosis connects (`redisTlsOptions`); holds the client key: never log it. */
  tls?: ConnectionOptions;
}

/**
 * Admin credentials of an environment: `redis.adminUsernameEnv` / `redis.adminPasswordEnv` when set,
 * else the diagnosis credentials (`usernameEnv` / `passwordEnv`). A named env var that is unset is a UserError.
 */
export function redisAdminOptions(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): RedisAdminOptions {
  const { redis } = env;
  const admin = redis.adminPasswordEnv !== undefined || redis.adminUsernameEnv !== undefined;
  const read = (name: string | undefined, field: 'password' | 'username') => {
    if (name === undefined) return undefined;
    const v = processEnv[name];
    if (v !== undefined) return v;
    const setting = admin ? `admin${field === 'password' ? 'Password' : 'Username'}Env` : `${field}Env`;
    throw new UserError(
      `The Redis ${field} env var ${name} (redis.${setting} of environment "${env.name}") is not set in the bot's environment.`,
      'redis_config',
    );
  };
  const password = read(admin ? redis.adminPasswordEnv : redis.passwordEnv, 'password');
  const username = read(admin ? redis.adminUsernameEnv : redis.usernameEnv, 'username');
  const tls = redisTlsOptions(env);
  return {
    url: redis.url,
    connectTimeoutMs: redis.connectTimeoutMs,
    ...(password !== undefined ? { password } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(tls !== undefined ? { tls } : {}),
  };
}

/** An admin port that the caller must close. */
export interface OpenRedisAdmin extends RedisAdminPort {
  close(): Promise<void>;
}

/** One node's admin connection; it can also tell the cluster's nodes as this node sees them. */
export interface OpenRedisNodeAdmin extends OpenRedisAdmin {
  /** `CLUSTER NODES` as text (a cluster node only). */
  clusterNodes(): Promise<string>;
  countKeys(pattern: string, maxScanned: number): Promise<{ matched: number; complete: boolean }>;
}

/**
 * The remediation actions' Redis: a standalone node (the session store as the diagnosis sees it).
 * No offline queue, no retries, no automatic reconnect: a command is written only on a connection
 * that is ready at that moment, so a command approved before an outage can never run late after a
 * reconnect. When the connection has dropped, the next call opens a new one first and fails closed
 * (`unreachable`) if Redis is still down.
 */
export class RedisNodeAdmin implements OpenRedisNodeAdmin {
  private readonly address: string;
  private readonly user: string;
  private client: Redis | undefined;
  private lastError: unknown;

  constructor(private readonly opts: RedisAdminOptions) {
    this.address = redactedAddress(opts.url);
    this.user = opts.username ?? 'default';
  }

  async nodes(): Promise<string[]> {
    return [this.address];
  }

  async configGet(node: string, parameter: string): Promise<string> {
    this.checkNode(node);
    const value = configGetValue(await this.run('CONFIG GET', (c) => c.config('GET', parameter)));
    if (value === undefined) {
      const message = `Redis at ${this.address} knows no config parameter "${parameter}".`;
      throw new RedisAdminError(message, 'refused', this.address, 'CONFIG GET');
    }
    return value;
  }

  async configSet(node: string, parameter: string, value: string): Promise<void> {
    this.checkNode(node);
    await this.run('CONFIG SET', (c) => c.config('SET', parameter, value));
    const now = await this.configGet(node, parameter);
    if (now.toLowerCase() !== value.toLowerCase()) {
      const message = `Redis at ${this.address} accepted CONFIG SET ${parameter} ${value} but CONFIG GET reads "${now}".`;
      throw new RedisAdminError(message, 'not_confirmed', this.address, 'CONFIG SET');
    }
  }

  async canConfigSet(): Promise<{ allowed: true } | { allowed: false; reason: string }> {
    try {
      const reply = await this.run('ACL DRYRUN', (c) =>
        c.call('ACL', 'DRYRUN', this.user, 'CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'),
      );
      if (reply === 'OK') return { allowed: true };
      const reason = `Redis at ${this.address}: user "${this.user}" may not CONFIG SET (${String(reply)}).`;
      return { allowed: false, reason };
    } catch (err) {
      const e = this.classify(err, 'ACL DRYRUN');
      if (e.kind !== 'no_permission' && e.kind !== 'refused') return { allowed: false, reason: e.message };
    }
    // ACL DRYRUN is itself refused (Redis < 7, or the user may not run ACL): setting a parameter to
    // the value it already has is the one CONFIG SET that changes nothing.
    try {
      const current = await this.configGet(this.address, 'maxmemory-policy');
      await this.run('CONFIG SET', (c) => c.config('SET', 'maxmemory-policy', current));
      return { allowed: true };
    } catch (err) {
      return { allowed: false, reason: this.classify(err, 'CONFIG SET').message };
    }
  }

  async clusterNodes(): Promise<string> {
    return String(await this.run('CLUSTER NODES', (c) => c.call('CLUSTER', 'NODES')));
  }

  async keyspace(): Promise<{ keys: number; expires: number }> {
    return parseKeyspace(parseInfo(await this.run('INFO', (c) => c.info('keyspace'))));
  }

  async countKeys(pattern: string, maxScanned: number): Promise<{ matched: number; complete: boolean }> {
    let cursor = '0';
    let matched = 0;
    let calls = 0;
    const count = 1000;
    do {
      const [next, keys] = await this.run('SCAN', (c) => c.scan(cursor, 'MATCH', pattern, 'COUNT', count));
      cursor = next;
      matched += keys.length;
      calls++;
    } while (cursor !== '0' && calls * count < maxScanned);
    return { matched, complete: cursor === '0' };
  }

  async close(): Promise<void> {
    this.client?.disconnect();
    this.client = undefined;
  }

  private classify(err: unknown, command: string): RedisAdminError {
    return classifyAdminError(err, { address: this.address, command, user: this.user });
  }

  /** A connection that is ready now: the open one, or a new one (which fails closed when Redis is down). */
  private async ready(command: string): Promise<Redis> {
    if (this.client?.status === 'ready') return this.client;
    this.client?.disconnect();
    this.lastError = undefined;
    const { opts } = this;
    const c = new Redis(opts.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      reconnectOnError: () => false,
      autoResubscribe: false,
      connectTimeout: opts.connectTimeoutMs ?? 3000,
      commandTimeout: opts.commandTimeoutMs ?? 5000,
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    });
    c.on('error', (e: unknown) => {
      this.lastError = e;
    });
    this.client = c;
    try {
      await c.connect();
    } catch (err) {
      c.disconnect();
      throw this.classify(this.lastError ?? err, command);
    }
    return c;
  }

  private async run<T>(command: string, send: (c: Redis) => Promise<T>): Promise<T> {
    const c = await this.ready(command);
    try {
      return await send(c);
    } catch (err) {
      throw this.classify(err, command);
    }
  }

  private checkNode(node: string): void {
    if (node !== this.address) {
      throw new RedisAdminError(`Redis node ${node} is not part of this store (${this.address}).`, 'other', node);
    }
  }
}

/** The admin port of one Redis node (see `RedisNodeAdmin`). */
export function openRedisAdmin(opts: RedisAdminOptions): OpenRedisNodeAdmin {
  return new RedisNodeAdmin(opts);
}
