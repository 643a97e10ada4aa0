import { Redis } from 'ioredis';
import type { EnvironmentConfig } from '../../config/config.js';
import { UserError } from '../../core/errors.js';
import type { RedisAdminPort } from '../../core/ports/redis-admin.js';
import { redactedAddress } from './connect-options.js';
import { parseInfo, parseKeyspace } from './redis-node.js';

export type RedisAdminErrorKind =
  'unreachable' | 'timeout' | 'auth' | 'no_permission' | 'refused' | 'not_confirmed' | 'other';

/** A failed admin call; the message starts with `Redis at host:port` and never carries a password. */
export class RedisAdminError extends Error {
  override name = 'RedisAdminError';
  constructor(
    message: string,
    readonly kind: RedisAdminErrorKind,
    readonly address: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export interface RedisAdminOptions {
  url: string;
  username?: string;
  password?: string;
  connectTimeoutMs?: number;
  /** A command that takes longer fails as `unreachable` (default 5000). */
  commandTimeoutMs?: number;
}

/**
 * Admin credentials of an environment: `redis.adminUsernameEnv` / `redis.adminPasswordEnv` when set,
 * else the diagnosis credentials (`usernameEnv` / `passwordEnv`). A named env var that is unset is a UserError.
 */
export function redisAdminOptions(env: EnvironmentConfig, processEnv: NodeJS.ProcessEnv): RedisAdminOptions {
  const { redis } = env;
  const admin = redis.adminPasswordEnv !== undefined || redis.adminUsernameEnv !== undefined;
  const passwordEnv = admin ? redis.adminPasswordEnv : redis.passwordEnv;
  const usernameEnv = admin ? redis.adminUsernameEnv : redis.usernameEnv;
  const read = (name: string | undefined, field: string) => {
    if (name === undefined) return undefined;
    const v = processEnv[name];
    if (v === undefined) {
      throw new UserError(
        `The Redis ${field} env var ${name} (redis.${admin ? `admin${field === 'password' ? 'Password' : 'Username'}Env` : `${field}Env`} of environment "${env.name}") is not set in the bot's environment.`,
        'redis_config',
      );
    }
    return v;
  };
  const password = read(passwordEnv, 'password');
  const username = read(usernameEnv, 'username');
  return {
    url: redis.url,
    connectTimeoutMs: redis.connectTimeoutMs,
    ...(password !== undefined ? { password } : {}),
    ...(username !== undefined ? { username } : {}),
  };
}

const NETWORK =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection is closed|Stream isn't writeable|Command timed out|connect ETIMEDOUT/;

/** Decides the kind of an ioredis failure once, here. */
function classify(err: unknown, address: string, command: string, user: string): RedisAdminError {
  if (err instanceof RedisAdminError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  if (/^(WRONGPASS|NOAUTH)/.test(msg) || /invalid (username-)?password/i.test(msg)) {
    return new RedisAdminError(
      `Redis at ${address} rejected the bot's admin credentials (user "${user}"): ${msg.split('\n')[0]}`,
      'auth',
      address,
      command,
    );
  }
  if (/^NOPERM/.test(msg)) {
    return new RedisAdminError(
      `Redis at ${address} denied ${command} to user "${user}" (${msg.split('\n')[0]}). Grant it with ACL SETUSER ${user} +${command.toLowerCase().replace(' ', '|')}, or set redis.adminUsernameEnv / redis.adminPasswordEnv to a user that may.`,
      'no_permission',
      address,
      command,
    );
  }
  if (/unknown command|unknown subcommand/i.test(msg)) {
    return new RedisAdminError(
      `Redis at ${address} does not offer ${command} (renamed or disabled, e.g. a managed service): ${msg.split('\n')[0]}`,
      'refused',
      address,
      command,
    );
  }
  if (/Command timed out/.test(msg)) {
    // Sent, but no answer: a paused or overloaded Redis may still run it later.
    return new RedisAdminError(
      `Redis at ${address} did not answer ${command} in time (${msg.split('\n')[0]}).${command === 'CONFIG SET' ? ' It may still apply the change once it answers again: read the value with CONFIG GET before trying again or reverting.' : ''}`,
      'timeout',
      address,
      command,
    );
  }
  if ((typeof code === 'string' && NETWORK.test(code)) || NETWORK.test(msg)) {
    return new RedisAdminError(
      `Redis at ${address} is unreachable (${typeof code === 'string' ? code : msg.split('\n')[0]}); ${command} was not sent. Nothing was changed on this node.`,
      'unreachable',
      address,
      command,
    );
  }
  return new RedisAdminError(`Redis at ${address} failed ${command}: ${msg.split('\n')[0]}`, 'other', address, command);
}

/** An admin port that the caller must close. */
export interface OpenRedisAdmin extends RedisAdminPort {
  close(): Promise<void>;
}

/** One node's admin connection; it can also tell the cluster's nodes as this node sees them. */
export interface OpenRedisNodeAdmin extends OpenRedisAdmin {
  /** `CLUSTER NODES` as text (a cluster node only). */
  clusterNodes(): Promise<string>;
}

/**
 * The remediation actions' Redis: a standalone node (the session store as the diagnosis sees it).
 * No offline queue, no retries, no automatic reconnect: a command is written only on a connection
 * that is ready at that moment, so a command approved before an outage can never run late after a
 * reconnect. When the connection has dropped, the next call opens a new one first and fails closed
 * (`unreachable`) if Redis is still down.
 */
export function openRedisAdmin(opts: RedisAdminOptions): OpenRedisNodeAdmin {
  const address = redactedAddress(opts.url);
  const user = opts.username ?? 'default';
  let client: Redis | undefined;
  let lastError: unknown;

  async function ready(command: string): Promise<Redis> {
    if (client?.status === 'ready') return client;
    client?.disconnect();
    lastError = undefined;
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
    });
    c.on('error', (e: unknown) => {
      lastError = e;
    });
    client = c;
    try {
      await c.connect();
    } catch (err) {
      c.disconnect();
      throw classify(lastError ?? err, address, command, user);
    }
    return c;
  }

  async function run<T>(command: string, send: (c: Redis) => Promise<T>): Promise<T> {
    const c = await ready(command);
    try {
      return await send(c);
    } catch (err) {
      throw classify(err, address, command, user);
    }
  }

  function checkNode(node: string): void {
    if (node !== address) {
      throw new RedisAdminError(`Redis node ${node} is not part of this store (${address}).`, 'other', node);
    }
  }

  async function configGet(node: string, parameter: string): Promise<string> {
    checkNode(node);
    const reply = (await run('CONFIG GET', (c) => c.config('GET', parameter))) as string[];
    const value = reply[1];
    if (value === undefined) {
      throw new RedisAdminError(
        `Redis at ${address} knows no config parameter "${parameter}".`,
        'refused',
        address,
        'CONFIG GET',
      );
    }
    return value;
  }

  return {
    async nodes() {
      return [address];
    },

    configGet,

    async configSet(node, parameter, value) {
      checkNode(node);
      await run('CONFIG SET', (c) => c.config('SET', parameter, value));
      const now = await configGet(node, parameter);
      if (now.toLowerCase() !== value.toLowerCase()) {
        throw new RedisAdminError(
          `Redis at ${address} accepted CONFIG SET ${parameter} ${value} but CONFIG GET reads "${now}".`,
          'not_confirmed',
          address,
          'CONFIG SET',
        );
      }
    },

    async canConfigSet() {
      try {
        const reply = await run('ACL DRYRUN', (c) =>
          c.call('ACL', 'DRYRUN', user, 'CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'),
        );
        if (reply === 'OK') return { allowed: true };
        return { allowed: false, reason: `Redis at ${address}: user "${user}" may not CONFIG SET (${String(reply)}).` };
      } catch (err) {
        const e = classify(err, address, 'ACL DRYRUN', user);
        if (e.kind !== 'no_permission' && e.kind !== 'refused') return { allowed: false, reason: e.message };
      }
      // ACL DRYRUN is itself refused (Redis < 7, or the user may not run ACL): setting a parameter to
      // the value it already has is the one CONFIG SET that changes nothing.
      try {
        const current = await configGet(address, 'maxmemory-policy');
        await run('CONFIG SET', (c) => c.config('SET', 'maxmemory-policy', current));
        return { allowed: true };
      } catch (err) {
        return { allowed: false, reason: classify(err, address, 'CONFIG SET', user).message };
      }
    },

    async clusterNodes() {
      return String(await run('CLUSTER NODES', (c) => c.call('CLUSTER', 'NODES')));
    },

    async keyspace() {
      return parseKeyspace(parseInfo(await run('INFO', (c) => c.info('keyspace'))));
    },

    async countKeys(pattern, maxScanned) {
      let cursor = '0';
      let matched = 0;
      let calls = 0;
      const count = 1000;
      do {
        const [next, keys] = await run('SCAN', (c) => c.scan(cursor, 'MATCH', pattern, 'COUNT', count));
        cursor = next;
        matched += keys.length;
        calls++;
      } while (cursor !== '0' && calls * count < maxScanned);
      return { matched, complete: cursor === '0' };
    },

    async close() {
      client?.disconnect();
      client = undefined;
    },
  };
}
